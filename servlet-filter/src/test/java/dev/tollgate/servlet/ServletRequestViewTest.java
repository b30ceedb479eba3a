package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServletRequestViewTest {

  @Test
  void pathIsServletPathPlusPathInfo() {
    assertEquals("/api/reports", new ServletRequestView(Mocks.request("/api", "/reports")).path());
    assertEquals("/index.html", new ServletRequestView(Mocks.request("/index.html", null)).path());
    assertEquals("/reports", new ServletRequestView(Mocks.request("", "/reports")).path());
    assertEquals("/", new ServletRequestView(Mocks.request("", null)).path());
  }

  @Test
  void headersParametersPrincipalAndPeerComeFromTheRequest() {
    HttpServletRequest r = Mocks.request("/api", "/x");
    when(r.getHeader("X-Api-Key")).thenReturn("k1");
    when(r.getHeaders("X-Forwarded-For")).thenReturn(Collections.enumeration(List.of("a", "b")));
    when(r.getParameterValues("pageSize")).thenReturn(new String[] {"1", "2"});
    ServletRequestView v = new ServletRequestView(r);

    assertEquals("k1", v.header("X-Api-Key"));
    assertEquals(List.of("a", "b"), v.headers("X-Forwarded-For"));
    assertEquals(List.of(), v.headers("Absent"));
    assertEquals(List.of("1", "2"), v.parameterValues("pageSize"));
    assertEquals(List.of(), v.parameterValues("absent"));
    assertEquals("192.0.2.1", v.remoteAddress());
    assertNull(v.principalName());
    when(r.getUserPrincipal()).thenReturn(() -> "alice");
    assertEquals("alice", v.principalName());
    assertEquals("GET", v.method());
  }
}
