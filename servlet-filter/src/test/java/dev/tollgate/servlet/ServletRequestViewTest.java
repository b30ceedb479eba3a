package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the view adds to the servlet request: the path it builds, the lenient reading of the query
 * when the container cannot parse the parameters, and the null answers of a container turned into
 * empty ones. Plain delegation is covered over real HTTP by the container tests.
 */
class ServletRequestViewTest {

  @Test
  void pathIsServletPathPlusPathInfoAlwaysStartingWithASlash() {
    assertEquals("/api/reports", new ServletRequestView(Mocks.request("/api", "/reports")).path());
    assertEquals("/index.html", new ServletRequestView(Mocks.request("/index.html", null)).path());
    assertEquals("/reports", new ServletRequestView(Mocks.request("", "/reports")).path());
    assertEquals("/reports", new ServletRequestView(Mocks.request(null, "/reports")).path());
    assertEquals("/", new ServletRequestView(Mocks.request("", null)).path());
    assertEquals("/", new ServletRequestView(Mocks.request(null, null)).path());
    assertEquals(
        "/api",
        new ServletRequestView(Mocks.request("api", null)).path(),
        "a slash is added if missing");
  }

  @Test
  void pathIsBuiltOncePerRequest() {
    HttpServletRequest r = Mocks.request("/api", "/reports");
    ServletRequestView v = new ServletRequestView(r);
    assertEquals("/api/reports", v.path());
    assertEquals("/api/reports", v.path());
    verify(r, times(1)).getServletPath();
    verify(r, times(1)).getPathInfo();
  }

  @Test
  void missingHeadersAndParametersAreEmptyListsNotNull() {
    HttpServletRequest r = Mocks.request("/api", "/x");
    when(r.getHeaders("Hidden"))
        .thenReturn(null); // a container may deny access to a header this way
    ServletRequestView v = new ServletRequestView(r);
    assertEquals(List.of(), v.headers("Hidden"));
    assertEquals(List.of(), v.headers("Absent"));
    assertEquals(List.of(), v.parameterValues("absent"));
    assertNull(v.principalName());
    when(r.getUserPrincipal()).thenReturn(() -> "alice");
    assertEquals("alice", v.principalName());
  }

  @Test
  void rolesAreTheContainers() {
    HttpServletRequest r = Mocks.request("/api", "/x");
    when(r.isUserInRole("pro-tenant")).thenReturn(true);
    ServletRequestView v = new ServletRequestView(r);
    assertTrue(v.isUserInRole("pro-tenant"));
    assertFalse(v.isUserInRole("partner"));
  }

  @Test
  void whenTheContainerCannotParseTheParametersTheQueryIsReadLenientlyFromThenOn() {
    HttpServletRequest r = Mocks.request("/api", "/x");
    when(r.getParameterValues("pageSize"))
        .thenThrow(new IllegalArgumentException("form too large"));
    when(r.getQueryString()).thenReturn("x=%zz&pageSize=5000&page%53ize=%zz&pageSize=%2B7");
    ServletRequestView v = new ServletRequestView(r);

    assertEquals(
        List.of("5000", "%zz", "+7"),
        v.parameterValues("pageSize"),
        "every value, decoded where the escape is valid and as written where it is not");
    assertEquals(List.of("%zz"), v.parameterValues("x"));
    verify(r, times(1)).getParameterValues("pageSize");
    verify(r, times(0)).getParameterValues("x"); // the container failed once; it is not asked again
  }

  @Test
  void withoutAQueryAnUnparseableRequestHasNoParameters() {
    HttpServletRequest r = Mocks.request("/api", "/x");
    when(r.getParameterValues("pageSize")).thenThrow(new IllegalStateException("bad charset"));
    assertEquals(List.of(), new ServletRequestView(r).parameterValues("pageSize"));
  }
}
