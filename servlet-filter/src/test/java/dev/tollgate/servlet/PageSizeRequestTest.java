package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.Mockito.when;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageSizeRequestTest {

  private final Tollgate tollgate =
      Tollgate.create(TollgateConfig.parse(Map.of("page-size.max", "100")));

  private HttpServletRequest original(String query, Map<String, String[]> params) {
    HttpServletRequest r = Mocks.request("/api", "/assets");
    when(r.getQueryString()).thenReturn(query);
    when(r.getParameterMap()).thenReturn(params);
    params.forEach((k, v) -> when(r.getParameterValues(k)).thenReturn(v));
    params.forEach((k, v) -> when(r.getParameter(k)).thenReturn(v[0]));
    return r;
  }

  private PageSizeRequest wrap(HttpServletRequest r) {
    PageSizeOutcome outcome = tollgate.pageSize(new ServletRequestView(r), null);
    return new PageSizeRequest(r, outcome);
  }

  @Test
  void everyParameterPathGivesTheClampedValue() {
    Map<String, String[]> params = new LinkedHashMap<>();
    params.put("page", new String[] {"2"});
    params.put("pageSize", new String[] {"5000", "7"});
    PageSizeRequest r = wrap(original("page=2&pageSize=5000&pageSize=7", params));

    assertEquals("100", r.getParameter("pageSize"));
    assertArrayEquals(new String[] {"100"}, r.getParameterValues("pageSize"));
    assertArrayEquals(new String[] {"100"}, r.getParameterMap().get("pageSize"));
    assertEquals(List.of("page", "pageSize"), Collections.list(r.getParameterNames()));
    assertEquals("page=2&pageSize=100", r.getQueryString());
    assertEquals("2", r.getParameter("page"));
  }

  @Test
  void missingPageSizeAppearsWithTheDefaultEverywhere() {
    Map<String, String[]> params = new LinkedHashMap<>();
    params.put("page", new String[] {"2"});
    PageSizeRequest r = wrap(original("page=2", params));

    assertEquals("20", r.getParameter("pageSize"));
    assertArrayEquals(new String[] {"20"}, r.getParameterValues("pageSize"));
    assertEquals(List.of("page", "pageSize"), Collections.list(r.getParameterNames()));
    assertEquals("page=2&pageSize=20", r.getQueryString());
  }

  @Test
  void requestWithoutQueryGetsOneHoldingTheDefault() {
    PageSizeRequest r = wrap(original(null, new LinkedHashMap<>()));
    assertEquals("pageSize=20", r.getQueryString());
    assertNull(r.getParameter("page"));
  }

  @Test
  void parameterMapCannotBeChangedByTheApplication() {
    PageSizeRequest r =
        wrap(original("pageSize=5", new LinkedHashMap<>(Map.of("pageSize", new String[] {"5"}))));
    org.junit.jupiter.api.Assertions.assertThrows(
        UnsupportedOperationException.class,
        () -> r.getParameterMap().put("pageSize", new String[] {"9999"}));
  }
}
