package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

class TollgateFilterTest {

  private final FakeClock clock = new FakeClock();

  private TollgateFilter filter(String... keysAndValues) throws ServletException {
    java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    TollgateFilter f =
        new TollgateFilter(Tollgate.builder(TollgateConfig.parse(p)).clock(clock).build());
    f.init(Mocks.filterConfig(null));
    return f;
  }

  @Test
  void admittedRequestGetsHeadersBeforeTheChainRuns() throws Exception {
    TollgateFilter f = filter("limits", "5/1m");
    HttpServletRequest req = Mocks.request("/api", "/assets");
    HttpServletResponse res = Mocks.response(new ByteArrayOutputStream());
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, res, chain);

    InOrder order = inOrder(res, chain);
    order.verify(res).setHeader("RateLimit-Policy", "\"minute\";q=5;w=60");
    order.verify(res).setHeader("RateLimit", "\"minute\";r=4;t=50");
    order.verify(chain).doFilter(any(), eq(res));
    verify(res, never()).setStatus(anyInt());
  }

  @Test
  void requestOverTheQuotaGets429WithProblemAndTheChainIsNotCalled() throws Exception {
    TollgateFilter f = filter("limits", "1/1m");
    FilterChain chain = mock(FilterChain.class);
    f.doFilter(
        Mocks.request("/api", "/assets"), Mocks.response(new ByteArrayOutputStream()), chain);

    ByteArrayOutputStream body = new ByteArrayOutputStream();
    HttpServletResponse res = Mocks.response(body);
    FilterChain second = mock(FilterChain.class);
    f.doFilter(Mocks.request("/api", "/assets"), res, second);

    verifyNoInteractions(second);
    verify(res).setStatus(429);
    verify(res).setHeader("Retry-After", "50");
    verify(res).setContentType("application/problem+json;charset=UTF-8");
    assertTrue(Mocks.text(body).contains("\"status\":429"), Mocks.text(body));
    assertTrue(Mocks.text(body).contains("quota-exceeded"), Mocks.text(body));
  }

  @Test
  void invalidPageSizeGets400ProblemWithoutCallingTheChain() throws Exception {
    TollgateFilter f = filter();
    HttpServletRequest req = Mocks.request("/api", "/assets");
    when(req.getParameterValues("pageSize")).thenReturn(new String[] {"ten"});
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    HttpServletResponse res = Mocks.response(body);
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, res, chain);

    verifyNoInteractions(chain);
    verify(res).setStatus(400);
    assertTrue(Mocks.text(body).contains("\"invalid-params\""), Mocks.text(body));
  }

  @Test
  void admittedRequestReachesTheApplicationWithTheClampedPageSize() throws Exception {
    TollgateFilter f = filter("page-size.max", "100");
    HttpServletRequest req = Mocks.request("/api", "/assets");
    when(req.getParameterValues("pageSize")).thenReturn(new String[] {"5000"});
    when(req.getQueryString()).thenReturn("pageSize=5000&page=3");
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, Mocks.response(new ByteArrayOutputStream()), chain);

    ArgumentCaptor<ServletRequest> seen = ArgumentCaptor.forClass(ServletRequest.class);
    verify(chain).doFilter(seen.capture(), any());
    HttpServletRequest app = assertInstanceOf(HttpServletRequest.class, seen.getValue());
    assertEquals("100", app.getParameter("pageSize"));
    assertEquals("pageSize=100&page=3", app.getQueryString());
  }

  @Test
  void requestWithoutPageSizeRuleIsNotWrapped() throws Exception {
    TollgateFilter f = filter("page-size.enabled", "false");
    HttpServletRequest req = Mocks.request("/api", "/assets");
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, Mocks.response(new ByteArrayOutputStream()), chain);

    verify(chain).doFilter(eq(req), any());
  }

  @Test
  void requestIsMarkedAsCounted() throws Exception {
    HttpServletRequest req = Mocks.request("/api", "/assets");
    filter().doFilter(req, Mocks.response(new ByteArrayOutputStream()), mock(FilterChain.class));
    verify(req).setAttribute(TollgateFilter.COUNTED_ATTRIBUTE, Boolean.TRUE);
  }

  @Test
  void forwardIncludeErrorAndAsyncDispatchesPassWithoutCounting() throws Exception {
    TollgateFilter f = filter("limits", "1/1m");
    for (DispatcherType type :
        new DispatcherType[] {
          DispatcherType.FORWARD, DispatcherType.INCLUDE, DispatcherType.ERROR, DispatcherType.ASYNC
        }) {
      HttpServletRequest req = Mocks.request("/api", "/assets");
      when(req.getDispatcherType()).thenReturn(type);
      HttpServletResponse res = Mocks.response(new ByteArrayOutputStream());
      FilterChain chain = mock(FilterChain.class);
      f.doFilter(req, res, chain);
      verify(chain).doFilter(req, res);
      verifyNoInteractions(res);
    }
    // The single request of the quota is still there.
    HttpServletResponse res = Mocks.response(new ByteArrayOutputStream());
    f.doFilter(Mocks.request("/api", "/assets"), res, mock(FilterChain.class));
    verify(res, never()).setStatus(anyInt());
  }

  @Test
  void requestAlreadyCountedByAnotherTollgateAdapterPassesUntouched() throws Exception {
    TollgateFilter f = filter("limits", "1/1m");
    HttpServletRequest req = Mocks.request("/api", "/assets");
    when(req.getAttribute(TollgateFilter.COUNTED_ATTRIBUTE)).thenReturn(Boolean.TRUE);
    HttpServletResponse res = Mocks.response(new ByteArrayOutputStream());
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, res, chain);
    f.doFilter(req, res, chain);

    verify(chain, org.mockito.Mockito.times(2)).doFilter(req, res);
    verifyNoInteractions(res);
  }

  @Test
  void applicationExceptionPropagatesAndTheRequestCountsOnce() throws Exception {
    TollgateFilter f = filter("limits", "2/1m");
    FilterChain failing = mock(FilterChain.class);
    doThrow(new ServletException("application bug")).when(failing).doFilter(any(), any());

    assertThrows(
        ServletException.class,
        () ->
            f.doFilter(
                Mocks.request("/api", "/assets"),
                Mocks.response(new ByteArrayOutputStream()),
                failing));

    HttpServletResponse second = Mocks.response(new ByteArrayOutputStream());
    f.doFilter(Mocks.request("/api", "/assets"), second, mock(FilterChain.class));
    verify(second).setHeader("RateLimit", "\"minute\";r=0;t=50");
    verify(second, never()).setStatus(anyInt());
  }

  @Test
  void engineFailureLetsTheRequestThroughUnlimitedInsteadOf500() throws Exception {
    TollgateFilter f = filter();
    HttpServletRequest req = Mocks.request("/api", "/assets");
    when(req.getRemoteAddr()).thenThrow(new IllegalStateException("broken request object"));
    HttpServletResponse res = Mocks.response(new ByteArrayOutputStream());
    FilterChain chain = mock(FilterChain.class);

    f.doFilter(req, res, chain);

    // Unlimited, but with its page size held: the request reaches the chain with the default.
    ArgumentCaptor<ServletRequest> seen = ArgumentCaptor.forClass(ServletRequest.class);
    verify(chain).doFilter(seen.capture(), org.mockito.ArgumentMatchers.same(res));
    assertInstanceOf(PageSizeRequest.class, seen.getValue());
    assertEquals("20", seen.getValue().getParameter("pageSize"));
    verify(res, never()).setStatus(anyInt());
    verify(res, never()).setHeader(anyString(), anyString());
  }

  @Test
  void repeatedHeaderNameIsAddedNotReplaced() throws Exception {
    // Core sends each header once today; the filter still must not drop a repeated one.
    HttpServletResponse res = mock(HttpServletResponse.class);
    TollgateFilter.setHeaders(
        res,
        java.util.List.of(
            new dev.tollgate.core.Header("Link", "a"), new dev.tollgate.core.Header("link", "b")));
    verify(res).setHeader("Link", "a");
    verify(res).addHeader("link", "b");
  }

  @Test
  void engineCreatedFromConfigIsClosedOnDestroyButACallersEngineIsNot() throws Exception {
    dev.tollgate.core.store.RateLimitStore store =
        mock(dev.tollgate.core.store.RateLimitStore.class);
    Tollgate shared = Tollgate.builder(TollgateConfig.builder().build()).store(store).build();
    TollgateFilter callers = new TollgateFilter(shared);
    callers.init(Mocks.filterConfig(null));
    callers.destroy();
    verify(store, never()).close();
    assertSame(shared, callers.engine());

    TollgateFilter own =
        new TollgateFilter(TollgateConfig.parse(java.util.Map.of("store.type", "closing")));
    own.init(Mocks.filterConfig(null));
    assertTrue(own.engine() != null);
    int closedBefore = ClosingStoreProvider.CLOSED.get();
    own.destroy();
    assertEquals(
        closedBefore + 1,
        ClosingStoreProvider.CLOSED.get(),
        "the engine the filter created closed its store");
    assertEquals(null, own.engine());
    own.destroy();
    assertEquals(
        closedBefore + 1,
        ClosingStoreProvider.CLOSED.get(),
        "a second destroy closes nothing twice");

    TollgateFilter fromInitParams = new TollgateFilter();
    fromInitParams.init(Mocks.filterConfig(null, "store.type", "closing"));
    fromInitParams.destroy();
    assertEquals(
        closedBefore + 2,
        ClosingStoreProvider.CLOSED.get(),
        "so is the engine made from init-params");
  }

  @Test
  void filterConfiguredInCodeRefusesInitParams() {
    TollgateFilter f = new TollgateFilter(TollgateConfig.builder().build());
    ServletException e =
        assertThrows(
            ServletException.class, () -> f.init(Mocks.filterConfig(null, "limits", "5/1m")));
    assertTrue(e.getMessage().contains("limits"), e.getMessage());
  }

  @Test
  void nonHttpRequestsPassThrough() throws Exception {
    TollgateFilter f = filter();
    ServletRequest req = mock(ServletRequest.class);
    jakarta.servlet.ServletResponse res = mock(jakarta.servlet.ServletResponse.class);
    FilterChain chain = mock(FilterChain.class);
    f.doFilter(req, res, chain);
    verify(chain).doFilter(req, res);
    verifyNoInteractions(req);
  }
}
