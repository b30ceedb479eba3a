package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.HeaderDialect;
import dev.tollgate.core.Rule;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WallClockWindows;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the filter must do in any servlet container, over real HTTP. Subclasses run it in one
 * container each.
 */
abstract class FilterContract {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final FakeClock clock = new FakeClock();
  private final List<RunningContainer> started = new ArrayList<>();
  private RunningContainer running;

  /** Starts {@code app} in this class's container. */
  abstract RunningContainer start(App app) throws Exception;

  /**
   * What the container answers while the filter's configuration is invalid, if it listens at all.
   */
  int statusWhileConfigurationInvalid() {
    // Embedded Jetty's ServletContextHandler stops the server instead; a deployed WebAppContext
    // answers 503.
    throw new AssertionError(getClass().getSimpleName() + " should not be listening");
  }

  @AfterEach
  void stop() throws Exception {
    for (RunningContainer r : started) {
      r.close();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private RunningContainer run(App app) throws Exception {
    RunningContainer r = start(app);
    started.add(r);
    running = r;
    return r;
  }

  /** Runs {@code app} with the filter registered in code, its engine on the fake clock. */
  private void runWithEngine(App app, String... keysAndValues) throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    RunningContainer r =
        run(
            app.filter(
                new TollgateFilter(
                    Tollgate.builder(TollgateConfig.parse(p)).clock(clock).build())));
    assertNull(r.startupFailure());
  }

  private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  /** Counts calls and echoes what the application sees of the page size. */
  static final class EchoServlet extends HttpServlet {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      calls.incrementAndGet();
      String[] fromMap = req.getParameterMap().get("pageSize");
      List<String> names = Collections.list(req.getParameterNames());
      Collections.sort(names);
      resp.setContentType("text/plain");
      resp.getWriter()
          .print(
              "getParameter="
                  + req.getParameter("pageSize")
                  + " getParameterValues="
                  + String.join(",", nullToEmpty(req.getParameterValues("pageSize")))
                  + " getParameterMap="
                  + String.join(",", nullToEmpty(fromMap))
                  + " getParameterNames="
                  + names
                  + " getQueryString="
                  + req.getQueryString());
    }

    private static String[] nullToEmpty(String[] a) {
      return a == null ? new String[0] : a;
    }
  }

  /** Writes a fixed text. */
  static final class TextServlet extends HttpServlet {
    private final String text;

    TextServlet(String text) {
      this.text = text;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.getWriter().print(text);
    }
  }

  // ---- tests ---------------------------------------------------------------------------------

  @Test
  void requestAfterTheQuotaGets429WithProblemBodyAndRetryAfter() throws Exception {
    EchoServlet echo = new EchoServlet();
    runWithEngine(new App().servlet("/api/*", echo), "limits", "3/1m");

    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api/assets").statusCode());
    }
    HttpResponse<String> rejected = get("/api/assets");

    assertEquals(429, rejected.statusCode());
    assertEquals("50", header(rejected, "Retry-After"));
    assertEquals(
        "application/problem+json;charset=UTF-8",
        header(rejected, "Content-Type").replace(" ", ""));
    assertTrue(rejected.body().contains("\"status\":429"), rejected.body());
    assertTrue(rejected.body().contains("\"violated-policies\":[\"minute\"]"), rejected.body());
    assertEquals(3, echo.calls.get(), "the application is not called for a rejected request");

    clock.advance(Duration.ofSeconds(50));
    assertEquals(200, get("/api/assets").statusCode(), "a new window admits again");
  }

  @ParameterizedTest
  @EnumSource(HeaderDialect.class)
  void headersOfEachDialectAreSentOn200And429(HeaderDialect dialect) throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new TextServlet("ok")),
        "limits",
        "2/1m",
        "headers.dialects",
        dialect.configName());
    long resetEpochSeconds = (FakeClock.START + 60_000) / 1000;
    Map<String, String> on200 =
        switch (dialect) {
          case IETF, IETF_DRAFT_10 ->
              Map.of("RateLimit-Policy", "\"minute\";q=2;w=60", "RateLimit", "\"minute\";r=1;t=50");
          case IETF_DRAFT_6 ->
              Map.of(
                  "RateLimit-Limit",
                  "2",
                  "RateLimit-Remaining",
                  "1",
                  "RateLimit-Reset",
                  "50",
                  "RateLimit-Policy",
                  "2;w=60");
          case TRUTO ->
              Map.of(
                  "ratelimit-limit", "2;w=60", "ratelimit-remaining", "1", "ratelimit-reset", "50");
          case TEOS ->
              Map.of(
                  "X-Rate-Limit-Limit",
                  "1m",
                  "X-Rate-Limit-Remaining",
                  "1",
                  "X-Rate-Limit-Reset",
                  "2027-01-15T00:01:00.0000000Z");
          case GITHUB ->
              Map.of(
                  "X-RateLimit-Limit",
                  "2",
                  "X-RateLimit-Remaining",
                  "1",
                  "X-RateLimit-Used",
                  "1",
                  "X-RateLimit-Reset",
                  Long.toString(resetEpochSeconds),
                  "X-RateLimit-Resource",
                  "default");
        };
    String remainingHeader =
        switch (dialect) {
          case IETF, IETF_DRAFT_10 -> "RateLimit";
          case IETF_DRAFT_6 -> "RateLimit-Remaining";
          case TRUTO -> "ratelimit-remaining";
          case TEOS -> "X-Rate-Limit-Remaining";
          case GITHUB -> "X-RateLimit-Remaining";
        };

    HttpResponse<String> first = get("/api/assets");
    assertEquals(200, first.statusCode());
    on200.forEach((name, value) -> assertEquals(value, header(first, name), name));
    assertNull(header(first, "Retry-After"));

    get("/api/assets");
    HttpResponse<String> rejected = get("/api/assets");
    assertEquals(429, rejected.statusCode());
    assertEquals("50", header(rejected, "Retry-After"));
    String remaining = header(rejected, remainingHeader);
    assertEquals(
        remainingHeader.equals("RateLimit") ? "\"minute\";r=0;t=50" : "0",
        remaining,
        remainingHeader);
  }

  @Test
  void twoKeysOnTwoPlansGetTheirOwnLimitsAndHeaders() throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new TextServlet("ok")),
        "client.key",
        "header:X-Api-Key, ip",
        "client.trusted-proxies",
        "127.0.0.1",
        "status.path",
        "/api/rate_limit",
        "plans.free.limits",
        "2/1m",
        "plans.pro.limits",
        "5/1m",
        "plans.pro.clients",
        dev.tollgate.core.ClientKeys.hashed("key:", "pro-key"),
        "plans.default",
        "free",
        "plans.resolvers",
        "clients, header:X-Gateway-Plan");

    HttpResponse<String> pro = get("/api/assets", "X-Api-Key", "pro-key");
    HttpResponse<String> free = get("/api/assets", "X-Api-Key", "free-key");

    assertEquals("\"pro-minute\";q=5;w=60", header(pro, "RateLimit-Policy"));
    assertEquals("\"pro-minute\";r=4;t=50", header(pro, "RateLimit"));
    assertEquals("\"free-minute\";q=2;w=60", header(free, "RateLimit-Policy"));
    assertEquals(200, get("/api/assets", "X-Api-Key", "free-key").statusCode());
    HttpResponse<String> limited = get("/api/assets", "X-Api-Key", "free-key");
    assertEquals(429, limited.statusCode());
    assertTrue(
        limited.body().contains("\"violated-policies\":[\"free-minute\"],\"plan\":\"free\""),
        limited.body());
    for (int i = 0; i < 4; i++) {
      assertEquals(
          200, get("/api/assets", "X-Api-Key", "pro-key").statusCode(), "pro call " + (i + 2));
    }
    assertEquals(429, get("/api/assets", "X-Api-Key", "pro-key").statusCode());
    HttpResponse<String> status = get("/api/rate_limit", "X-Api-Key", "pro-key");
    assertTrue(
        status
            .body()
            .startsWith(
                "{\"plan\":\"pro\",\"limits\":[{\"rule\":\"default\",\"policy\":\"pro-minute\""),
        status.body());
    HttpResponse<String> gateway =
        get("/api/assets", "X-Api-Key", "third-key", "X-Gateway-Plan", "pro");
    assertEquals(
        "\"pro-minute\";q=5;w=60",
        header(gateway, "RateLimit-Policy"),
        "the peer is a trusted gateway");
  }

  @Test
  void endpointRuleLimitsItsPathOnly() throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new TextServlet("ok")),
        "limits",
        "100/1m",
        "rules.reports.path",
        "/api/reports",
        "rules.reports.limits",
        "2/1m");

    assertEquals(200, get("/api/reports").statusCode());
    assertEquals(200, get("/api/reports").statusCode());
    HttpResponse<String> rejected = get("/api/reports");
    assertEquals(429, rejected.statusCode());
    assertTrue(
        rejected.body().contains("\"violated-policies\":[\"reports.minute\"]"), rejected.body());
    HttpResponse<String> other = get("/api/assets");
    assertEquals(200, other.statusCode());
    // Two admitted report calls and this one; the rejected call consumed from no limit.
    assertEquals(
        "\"minute\";r=97;t=50",
        header(other, "RateLimit"),
        "endpoint calls count towards the default rule too");
  }

  @Test
  void applicationSeesTheClampedPageSizeThroughParametersAndQueryString() throws Exception {
    runWithEngine(new App().servlet("/api/*", new EchoServlet()), "page-size.max", "1000");

    assertEquals(
        "getParameter=1000 getParameterValues=1000 getParameterMap=1000 getParameterNames=[page, pageSize]"
            + " getQueryString=pageSize=1000&page=2",
        get("/api/assets?pageSize=5000&page=2").body());
    assertEquals(
        "getParameter=20 getParameterValues=20 getParameterMap=20 getParameterNames=[page, pageSize]"
            + " getQueryString=page=2&pageSize=20",
        get("/api/assets?page=2").body());
    assertEquals(
        "getParameter=50 getParameterValues=50 getParameterMap=50 getParameterNames=[pageSize]"
            + " getQueryString=pageSize=50",
        get("/api/assets?pageSize=50").body());
  }

  /**
   * The maximum itself reaches the application and one above it is clamped, for the default rule
   * (one parameter name) and an endpoint rule (two names, so core's general loop decides).
   */
  @Test
  void pageSizesAtTheMaximumReachTheApplicationAndOneAboveIsClamped() throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new EchoServlet()),
        "limits",
        "1000/1m",
        "page-size.max",
        "1000",
        "rules.reports.path",
        "/api/reports",
        "rules.reports.page-size.max",
        "100",
        "rules.reports.page-size.parameters",
        "pageSize, limit");
    int[][] sentAndSeen = {{999, 999}, {1000, 1000}, {1001, 1000}};
    for (int[] c : sentAndSeen) {
      assertEquals(
          echoed(c[1]),
          get("/api/assets?pageSize=" + c[0]).body(),
          "default rule, pageSize=" + c[0]);
    }
    int[][] reports = {{99, 99}, {100, 100}, {101, 100}};
    for (int[] c : reports) {
      assertEquals(
          echoed(c[1]),
          get("/api/reports?pageSize=" + c[0]).body(),
          "endpoint rule, pageSize=" + c[0]);
    }
  }

  private static String echoed(int pageSize) {
    return "getParameter="
        + pageSize
        + " getParameterValues="
        + pageSize
        + " getParameterMap="
        + pageSize
        + " getParameterNames=[pageSize] getQueryString=pageSize="
        + pageSize;
  }

  @Test
  void invalidPageSizeGets400ProblemWhereTheRuleRejectsAndTheDefaultWhereItDoesNot()
      throws Exception {
    EchoServlet echo = new EchoServlet();
    runWithEngine(
        new App().servlet("/api/*", echo),
        "rules.lenient.path",
        "/api/lenient",
        "rules.lenient.page-size.on-invalid",
        "default");

    HttpResponse<String> rejected = get("/api/assets?pageSize=ten");
    assertEquals(400, rejected.statusCode());
    assertTrue(header(rejected, "Content-Type").startsWith("application/problem+json"));
    assertTrue(
        rejected.body().contains("\"invalid-params\":[{\"name\":\"pageSize\""), rejected.body());
    assertEquals(0, echo.calls.get());

    HttpResponse<String> lenient = get("/api/lenient?pageSize=ten");
    assertEquals(200, lenient.statusCode());
    assertTrue(lenient.body().startsWith("getParameter=20 "), lenient.body());
  }

  @Test
  void responseCommittedEarlyByTheApplicationStillCarriesTheHeaders() throws Exception {
    HttpServlet early =
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            resp.setContentType("text/plain");
            resp.flushBuffer();
            resp.getWriter().print("streamed");
          }
        };
    runWithEngine(new App().servlet("/api/*", early), "limits", "5/1m");

    HttpResponse<String> r = get("/api/stream");
    assertEquals(200, r.statusCode());
    assertEquals("streamed", r.body());
    assertEquals("\"minute\";r=4;t=50", header(r, "RateLimit"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/forward", "/include", "/async-dispatch", "/async-complete", "/boom"})
  void requestThatIsReDispatchedCountsOnce(String path) throws Exception {
    App app =
        new App()
            .servlet("/target", new TextServlet("target"))
            .servlet("/error", new TextServlet("error page"))
            .servlet("/probe", new TextServlet("probe"))
            .servlet(
                "/forward",
                new HttpServlet() {
                  @Override
                  protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                      throws ServletException, IOException {
                    req.getRequestDispatcher("/target").forward(req, resp);
                  }
                })
            .servlet(
                "/include",
                new HttpServlet() {
                  @Override
                  protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                      throws ServletException, IOException {
                    req.getRequestDispatcher("/target").include(req, resp);
                  }
                })
            .servlet(
                "/async-dispatch",
                new HttpServlet() {
                  @Override
                  protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                    req.startAsync().dispatch("/target");
                  }
                })
            .servlet(
                "/async-complete",
                new HttpServlet() {
                  @Override
                  protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                    AsyncContext async = req.startAsync();
                    async.start(
                        () -> {
                          try {
                            async.getResponse().getWriter().print("target");
                          } catch (IOException e) {
                            throw new RuntimeException(e);
                          }
                          async.complete();
                        });
                  }
                })
            .servlet(
                "/boom",
                new HttpServlet() {
                  @Override
                  protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                    throw new IllegalStateException("application failure");
                  }
                })
            .errorPage("/error");
    runWithEngine(app, "limits", "10/1m");

    HttpResponse<String> r = get(path);
    if (path.equals("/boom")) {
      assertEquals(500, r.statusCode());
      assertEquals("error page", r.body());
    } else {
      assertEquals(200, r.statusCode());
      assertEquals("target", r.body());
      assertEquals("\"minute\";r=9;t=50", header(r, "RateLimit"));
    }
    assertEquals(
        "\"minute\";r=8;t=50", header(get("/probe"), "RateLimit"), "two requests, two counts");
  }

  @Test
  void badInitParamStopsTheApplicationWithAMessageNamingKeyAndValue() throws Exception {
    RunningContainer r =
        run(new App().servlet("/api/*", new TextServlet("ok")).initParam("limits", "10O/1m"));

    assertNotNull(r.startupFailure(), "the application must not start");
    assertTrue(
        r.startupFailure().contains("limits: '10O/1m' is not a valid limit"), r.startupFailure());
    if (r.port() > 0) {
      // The README says what clients get meanwhile: the container's own page, never the
      // application.
      assertEquals(statusWhileConfigurationInvalid(), get("/api/assets").statusCode());
    }
  }

  @Test
  void initParamsConfigureTheFilterTheContainerCreates() throws Exception {
    WallClockWindows.awaitFreshMinute(); // the container's engine runs on the system clock
    RunningContainer r =
        run(
            new App()
                .servlet("/api/*", new EchoServlet())
                .initParam("config", "classpath:tollgate-test.properties")
                .initParam("limits", "2/1m")
                .initParam("page-size.max", "100"));
    assertNull(r.startupFailure());

    HttpResponse<String> first = get("/api/assets?pageSize=500");
    assertEquals(200, first.statusCode());
    assertTrue(first.body().startsWith("getParameter=100 "), first.body());
    assertEquals(
        "2", header(first, "X-RateLimit-Limit"), "headers.dialects=github comes from the file");
    assertEquals(200, get("/api/assets").statusCode());
    assertEquals(429, get("/api/assets").statusCode());
  }

  @Test
  void filterRegisteredInCodeWithABuiltConfig() throws Exception {
    TollgateConfig config =
        TollgateConfig.builder()
            .defaultRule(Rule.builder(Rule.DEFAULT).limits("1/1m").build())
            .dialects(HeaderDialect.TEOS)
            .build();
    WallClockWindows.awaitFreshMinute(); // the filter's own engine runs on the system clock
    RunningContainer r =
        run(new App().servlet("/api/*", new TextServlet("ok")).filter(new TollgateFilter(config)));
    assertNull(r.startupFailure());

    HttpResponse<String> first = get("/api/assets");
    assertEquals(200, first.statusCode());
    assertEquals("0", header(first, "X-Rate-Limit-Remaining"));
    assertEquals(429, get("/api/assets").statusCode());
  }
}
