package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.JETTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ClientKeys;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.micrometer.MicrometerMetrics;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WallClockWindows;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run-time operations through the filter in embedded Jetty 12, over real HTTP: reconfiguration
 * (Java API and watched file), suspension, dry-run rules, the quota status path, the per-client
 * concurrency limit (sync and async), Micrometer metrics and the log lines.
 */
class OperationsIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String KEY = "X-Api-Key";

  private final FakeClock clock = new FakeClock();
  private final List<RunningContainer> started = new ArrayList<>();
  private RunningContainer running;

  /** Records what Tollgate logs through System.Logger (backed by java.util.logging here). */
  private final Logger tollgateLog = Logger.getLogger("dev.tollgate");

  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level previousLevel;

  @BeforeEach
  void captureLog() {
    previousLevel = tollgateLog.getLevel();
    tollgateLog.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    tollgateLog.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    tollgateLog.removeHandler(capture);
    tollgateLog.setLevel(previousLevel);
    for (RunningContainer r : started) {
      r.close();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private RunningContainer run(App app) throws Exception {
    RunningContainer r = app.startIn(JETTY);
    started.add(r);
    running = r;
    assertNull(r.startupFailure());
    return r;
  }

  private static Map<String, String> props(String... keysAndValues) {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return p;
  }

  /** Runs {@code app} with the filter registered in code around an engine on the fake clock. */
  private Tollgate runWithEngine(App app, String... keysAndValues) throws Exception {
    Tollgate engine =
        Tollgate.builder(TollgateConfig.parse(props(keysAndValues))).clock(clock).build();
    run(app.filter(new TollgateFilter(engine)));
    return engine;
  }

  /** The engine the filter published for the application. */
  private Tollgate published() {
    Object engine = running.contextAttribute(TollgateFilter.ENGINE_ATTRIBUTE);
    assertNotNull(engine, "the filter publishes its engine as a servlet context attribute");
    return (Tollgate) engine;
  }

  private HttpRequest request(String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return HTTP.send(request(path, headers), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path, String... headers) {
    return HTTP.sendAsync(request(path, headers), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  /** Checks {@code condition} every 100 ms for up to 10 s: for what happens on another thread. */
  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  private boolean loggedContaining(Level level, String text) {
    return logged.stream().anyMatch(r -> r.getLevel().equals(level) && format(r).contains(text));
  }

  private static String format(LogRecord r) {
    return r.getParameters() == null
        ? r.getMessage()
        : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
  }

  /** Counts calls and answers "ok". */
  static final class OkServlet extends HttpServlet {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      calls.incrementAndGet();
      resp.setContentType("text/plain");
      resp.getWriter().print("ok");
    }
  }

  /** Signals that a request is in flight, then blocks until the test opens the gate. */
  static final class SlowServlet extends HttpServlet {
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      entered.release();
      try {
        if (!gate.await(20, TimeUnit.SECONDS)) {
          resp.sendError(500, "the test never opened the gate");
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      resp.setContentType("text/plain");
      resp.getWriter().print("slow");
    }
  }

  /** Starts async processing and hands the context to the test, which completes it. */
  static final class AsyncServlet extends HttpServlet {
    final BlockingQueue<AsyncContext> pending = new LinkedBlockingQueue<>();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext async = req.startAsync();
      async.setTimeout(30_000);
      pending.add(async);
    }
  }

  // ---- runtime reconfiguration -----------------------------------------------------------------

  @Test
  void quotaRaisedMidWindowThroughThePublishedEngineKeepsWhatTheClientUsed() throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new OkServlet()),
        "limits",
        "100/1m",
        "client.key",
        "header:X-Api-Key, ip");

    for (int i = 0; i < 80; i++) {
      assertEquals(200, get("/api/assets", KEY, "k1").statusCode());
    }
    published()
        .reconfigure(
            TollgateConfig.parse(props("limits", "200/1m", "client.key", "header:X-Api-Key, ip")));

    HttpResponse<String> after = get("/api/assets", KEY, "k1");
    assertEquals(200, after.statusCode());
    assertEquals("\"minute\";q=200;w=60", header(after, "RateLimit-Policy"));
    assertEquals(
        "\"minute\";r=119;t=50",
        header(after, "RateLimit"),
        "80 used before the change, 81 now, of 200");
    assertTrue(loggedContaining(Level.INFO, "Reconfigured."), "the new configuration is logged");
  }

  @Test
  void quotaLoweredBelowUsageMidWindowRejectsAtOnce() throws Exception {
    runWithEngine(new App().servlet("/api/*", new OkServlet()), "limits", "100/1m");
    for (int i = 0; i < 50; i++) {
      get("/api/assets");
    }
    published().reconfigure(TollgateConfig.parse(props("limits", "40/1m")));
    HttpResponse<String> r = get("/api/assets");
    assertEquals(429, r.statusCode());
    assertEquals("\"minute\";r=0;t=50", header(r, "RateLimit"));
  }

  @Test
  void watchedFileChangeAppliesWithoutRestartAndAnInvalidFileLeavesTheOldConfigInForce(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("tollgate.properties");
    Files.writeString(file, "limits=1000/1m\nreload.interval=1s\n", StandardCharsets.UTF_8);
    OkServlet ok = new OkServlet();
    run(
        new App()
            .servlet("/api/*", ok)
            .initParam("config", "file:" + file)
            .initParam("headers.dialects", "ietf"));
    assertEquals("\"minute\";q=1000;w=60", header(get("/api/assets"), "RateLimit-Policy"));

    Files.writeString(
        file,
        "limits=2000/1m\nreload.interval=1s\nrules.reports.path=/api/reports\nrules.reports.limits=3/1m\n",
        StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertTrue(
        eventually(() -> "\"minute\";q=2000;w=60".equals(policyOf("/api/assets"))),
        "the watched file's new limit is applied within 10 s");
    assertEquals(
        "\"minute\";q=2000;w=60, \"reports.minute\";q=3;w=60",
        policyOf("/api/reports"),
        "rules are added at run time too");

    Files.writeString(file, "limits=10O/1m\nreload.interval=1s\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    assertTrue(
        eventually(() -> loggedContaining(Level.SEVERE, "limits: '10O/1m' is not a valid limit")),
        "the rejected file is logged with the key and value: "
            + logged.stream().map(OperationsIT::format).toList());
    assertTrue(loggedContaining(Level.SEVERE, "The previous configuration stays in force"));
    HttpResponse<String> still = get("/api/reports");
    assertEquals(200, still.statusCode());
    assertEquals(
        "\"minute\";q=2000;w=60, \"reports.minute\";q=3;w=60",
        header(still, "RateLimit-Policy"),
        "the last valid configuration stays in force");
  }

  private String policyOf(String path) {
    try {
      return header(get(path), "RateLimit-Policy");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- suspension ------------------------------------------------------------------------------

  @Test
  void suspendedKeyGets403ProblemAndIsNotCountedAndLiftingTheSuspensionGives200() throws Exception {
    OkServlet ok = new OkServlet();
    runWithEngine(
        new App().servlet("/api/*", ok), "limits", "5/1m", "client.key", "header:X-Api-Key, ip");
    String abuser = ClientKeys.hashed("key:", "abuser-secret");
    published().suspensions().suspend(abuser);

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/api/assets", KEY, "abuser-secret");
      assertEquals(403, r.statusCode());
      assertTrue(
          header(r, "Content-Type").startsWith("application/problem+json"),
          header(r, "Content-Type"));
      assertTrue(r.body().contains("\"status\":403") && r.body().contains("suspended"), r.body());
      assertFalse(r.body().contains("abuser-secret"), "the key is never echoed");
      assertNull(
          header(r, "RateLimit"),
          "a suspended request is not counted, so there is no quota to report");
    }
    assertEquals(0, ok.calls.get(), "the application is not called for a suspended client");
    assertEquals(
        200,
        get("/api/assets", KEY, "someone-else").statusCode(),
        "other clients are not affected");

    assertTrue(published().suspensions().lift(abuser));
    HttpResponse<String> lifted = get("/api/assets", KEY, "abuser-secret");
    assertEquals(200, lifted.statusCode());
    assertEquals(
        "\"minute\";r=4;t=50",
        header(lifted, "RateLimit"),
        "the suspended requests were not counted");
  }

  @Test
  void suspendedEntriesFromTheConfigurationIncludingIpRangesAreLiftedByAReconfiguration()
      throws Exception {
    String abuser = ClientKeys.hashed("key:", "abuser-secret");
    runWithEngine(
        new App().servlet("/api/*", new OkServlet()),
        "limits",
        "5/1m",
        "client.key",
        "header:X-Api-Key, ip",
        "suspended",
        abuser + ", 127.0.0.0/8");

    assertEquals(403, get("/api/assets", KEY, "abuser-secret").statusCode());
    assertEquals(
        403, get("/api/assets").statusCode(), "the range covers the anonymous caller's address");
    assertEquals(
        403,
        get("/api/assets", KEY, "someone-else").statusCode(),
        "a range covers the address whatever key the client presents");

    published()
        .reconfigure(
            TollgateConfig.parse(
                props(
                    "limits", "5/1m", "client.key", "header:X-Api-Key, ip", "suspended", abuser)));
    assertEquals(403, get("/api/assets", KEY, "abuser-secret").statusCode());
    assertEquals(
        200,
        get("/api/assets", KEY, "someone-else").statusCode(),
        "the range was taken off the list");

    published()
        .reconfigure(
            TollgateConfig.parse(props("limits", "5/1m", "client.key", "header:X-Api-Key, ip")));
    assertEquals(
        200,
        get("/api/assets", KEY, "abuser-secret").statusCode(),
        "the key was taken off the list");
  }

  // ---- dry-run ---------------------------------------------------------------------------------

  @Test
  void dryRunRuleLetsTheRequestThroughWithHeadersShowingZeroRemainingAndLogsIt() throws Exception {
    OkServlet ok = new OkServlet();
    runWithEngine(
        new App().servlet("/api/*", ok),
        "limits",
        "100/1m",
        "rules.new.path",
        "/api/**",
        "rules.new.limits",
        "2/1m",
        "rules.new.dry-run",
        "true");

    get("/api/assets");
    get("/api/assets");
    HttpResponse<String> over = get("/api/assets");

    assertEquals(200, over.statusCode());
    assertEquals("ok", over.body());
    assertEquals("\"minute\";r=97;t=50, \"new.minute\";r=0;t=50", header(over, "RateLimit"));
    assertNull(header(over, "Retry-After"));
    assertEquals(3, ok.calls.get());
    assertTrue(
        loggedContaining(Level.INFO, "dry-run: would answer 429 to GET /api/assets (rule new"),
        logged.stream().map(OperationsIT::format).toList().toString());
  }

  // ---- quota status ----------------------------------------------------------------------------

  @Test
  void statusPathAnswersJsonWithoutConsumingQuota() throws Exception {
    OkServlet ok = new OkServlet();
    runWithEngine(
        new App().servlet("/api/*", ok).servlet("/", new OkServlet()),
        "limits",
        "100/1m, 10000/24h rolling",
        "status.path",
        "/rate_limit",
        "rules.reports.path",
        "/api/reports",
        "rules.reports.limits",
        "10/1m");
    assertEquals(200, get("/api/assets").statusCode());

    HttpResponse<String> first = get("/rate_limit");
    HttpResponse<String> second = get("/rate_limit");
    HttpResponse<String> third = get("/rate_limit");

    assertEquals(200, first.statusCode());
    assertTrue(
        header(first, "Content-Type")
            .replace(" ", "")
            .equalsIgnoreCase("application/json;charset=UTF-8"),
        header(first, "Content-Type"));
    assertEquals("no-store", header(first, "Cache-Control"));
    String body = first.body();
    assertTrue(
        body.startsWith(
            "{\"limits\":[{\"rule\":\"default\",\"policy\":\"minute\",\"algorithm\":\"fixed\","
                + "\"limit\":100,\"window\":60,\"remaining\":99,\"used\":1,"),
        body);
    assertTrue(body.contains("\"policy\":\"day\",\"algorithm\":\"rolling\",\"limit\":10000"), body);
    assertTrue(
        body.contains(
            "\"rule\":\"reports\",\"policy\":\"reports.minute\",\"algorithm\":\"fixed\",\"limit\":10,"
                + "\"window\":60,\"remaining\":10,\"used\":0"),
        body);
    assertEquals(body, second.body(), "reading the status consumes nothing");
    assertEquals(body, third.body());
    assertEquals(1, ok.calls.get(), "the status path never reaches the application");

    String after = header(get("/api/assets"), "RateLimit");
    assertTrue(
        after.startsWith("\"minute\";r=98;t=50, \"day\";r=9998;"),
        "the normal requests alone were counted: " + after);
  }

  @Test
  void statusPathReportsRemainingAfterNormalRequestsOnly() throws Exception {
    runWithEngine(
        new App().servlet("/api/*", new OkServlet()),
        "limits",
        "100/1m",
        "status.path",
        "/rate_limit");
    get("/rate_limit");
    get("/rate_limit");
    HttpResponse<String> afterStatus = get("/api/assets");
    assertEquals(
        "\"minute\";r=99;t=50",
        header(afterStatus, "RateLimit"),
        "only the normal request counted, not the two status reads before it");
    assertTrue(get("/rate_limit").body().contains("\"remaining\":99,\"used\":1"));
  }

  // ---- concurrency -----------------------------------------------------------------------------

  @Test
  void concurrencyLimitAnswers429ForTheThirdRequestInFlightAndFreesTheSlotWhenOneCompletes()
      throws Exception {
    SlowServlet slow = new SlowServlet();
    OkServlet ok = new OkServlet();
    runWithEngine(
        new App().servlet("/api/slow", slow).servlet("/api/*", ok),
        "limits",
        "100/1m",
        "concurrency.max-per-client",
        "2");

    CompletableFuture<HttpResponse<String>> a = getAsync("/api/slow");
    CompletableFuture<HttpResponse<String>> b = getAsync("/api/slow");
    try {
      assertTrue(
          slow.entered.tryAcquire(2, 10, TimeUnit.SECONDS), "both slow requests are in flight");

      HttpResponse<String> third = get("/api/fast");
      assertEquals(429, third.statusCode());
      assertEquals("1", header(third, "Retry-After"));
      assertTrue(third.body().contains("\"violated-policies\":[\"concurrency\"]"), third.body());
      assertEquals(0, ok.calls.get());
    } finally {
      slow.gate.countDown();
    }
    assertEquals(200, a.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(200, b.get(10, TimeUnit.SECONDS).statusCode());

    // The slot is freed as the response completes; the client may see the response a moment
    // earlier.
    assertTrue(
        eventually(() -> statusOf("/api/fast") == 200),
        "a new request is admitted once the slow ones ended");
    HttpResponse<String> counted = get("/api/fast");
    assertEquals(200, counted.statusCode());
    String remaining = header(counted, "RateLimit");
    assertTrue(remaining.startsWith("\"minute\";r="), remaining);
    int used =
        100
            - Integer.parseInt(
                remaining.substring("\"minute\";r=".length(), remaining.indexOf(";t=")));
    assertEquals(2 + ok.calls.get(), used, "requests refused for concurrency were not counted");
  }

  @Test
  void asyncRequestHoldsItsSlotUntilTheAsyncContextCompletes() throws Exception {
    AsyncServlet async = new AsyncServlet();
    runWithEngine(
        new App().servlet("/api/async", async).servlet("/api/*", new OkServlet()),
        "limits",
        "100/1m",
        "concurrency.max-per-client",
        "1");

    CompletableFuture<HttpResponse<String>> held = getAsync("/api/async");
    AsyncContext context = async.pending.poll(10, TimeUnit.SECONDS);
    assertNotNull(context, "the async request is in flight");

    assertEquals(
        429,
        get("/api/fast").statusCode(),
        "the servlet returned, but the async request still holds the slot");
    assertEquals(429, get("/api/fast").statusCode());

    context.getResponse().setContentType("text/plain");
    context.getResponse().getWriter().print("done");
    context.complete();
    HttpResponse<String> done = held.get(10, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode());
    assertEquals("done", done.body());
    assertTrue(
        eventually(() -> statusOf("/api/fast") == 200),
        "completing the async context frees the slot");
  }

  @Test
  void applicationFailureStillFreesTheSlot() throws Exception {
    runWithEngine(
        new App()
            .servlet(
                "/api/boom",
                new HttpServlet() {
                  @Override
                  protected void service(HttpServletRequest req, HttpServletResponse resp) {
                    throw new IllegalStateException("application failure");
                  }
                })
            .servlet("/api/*", new OkServlet()),
        "limits",
        "100/1m",
        "concurrency.max-per-client",
        "1");
    assertEquals(500, get("/api/boom").statusCode());
    assertEquals(500, get("/api/boom").statusCode(), "the failed request gave its slot back");
    assertTrue(eventually(() -> statusOf("/api/fast") == 200));
  }

  private int statusOf(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- metrics ---------------------------------------------------------------------------------

  @Test
  void micrometerCountersCountEachOutcomePerRuleAndLimit() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Tollgate engine =
        Tollgate.builder(
                TollgateConfig.parse(
                    props(
                        "limits",
                        "2/1m",
                        "client.key",
                        "header:X-Api-Key, ip",
                        "page-size.max",
                        "50",
                        "rules.new.path",
                        "/api/new",
                        "rules.new.limits",
                        "1/1m",
                        "rules.new.dry-run",
                        "true")))
            .clock(clock)
            .metrics(new MicrometerMetrics(registry))
            .build();
    run(new App().servlet("/api/*", new OkServlet()).filter(new TollgateFilter(engine)));
    engine.suspensions().suspend(ClientKeys.hashed("key:", "abuser"));

    assertEquals(
        200,
        get("/api/assets?pageSize=500", KEY, "k1").statusCode()); // admitted, page size clamped
    assertEquals(
        400, get("/api/assets?pageSize=abc", KEY, "k1").statusCode()); // counted, then rejected
    assertEquals(429, get("/api/assets", KEY, "k1").statusCode()); // over 2/1m
    assertEquals(200, get("/api/new", KEY, "k2").statusCode()); // admitted
    assertEquals(200, get("/api/new", KEY, "k2").statusCode()); // dry-run would reject
    assertEquals(403, get("/api/assets", KEY, "abuser").statusCode()); // suspended

    assertEquals(
        1, registry.counter("tollgate.requests", "rule", "default", "outcome", "admitted").count());
    assertEquals(
        1, registry.counter("tollgate.requests", "rule", "new", "outcome", "admitted").count());
    assertEquals(
        1,
        registry
            .counter("tollgate.requests", "rule", "default", "outcome", "invalid_page_size")
            .count());
    assertEquals(
        1,
        registry
            .counter("tollgate.requests", "rule", "default", "outcome", "rate_limited")
            .count());
    assertEquals(
        1,
        registry
            .counter("tollgate.requests", "rule", "new", "outcome", "dry_run_rejected")
            .count());
    assertEquals(
        1,
        registry.counter("tollgate.requests", "rule", "default", "outcome", "suspended").count());
    assertEquals(
        1,
        registry
            .counter(
                "tollgate.limit.rejections",
                "rule",
                "default",
                "policy",
                "minute",
                "dry_run",
                "false")
            .count());
    assertEquals(
        1,
        registry
            .counter(
                "tollgate.limit.rejections",
                "rule",
                "new",
                "policy",
                "new.minute",
                "dry_run",
                "true")
            .count());
    assertEquals(1, registry.counter("tollgate.page.size", "status", "clamped").count());
    assertEquals(1, registry.counter("tollgate.page.size", "status", "rejected").count());
    assertTrue(
        registry.timer("tollgate.store.latency").count() >= 5,
        "timed at least once per counted request");
    assertEquals(0, registry.counter("tollgate.store.errors").count());
    assertTrue(
        registry.getMeters().stream()
            .flatMap(m -> m.getId().getTags().stream())
            .noneMatch(t -> t.getValue().contains("k1") || t.getValue().contains("key:")),
        "no meter is tagged per client");
    assertTrue(
        loggedContaining(Level.FINE, "429 for GET /api/assets (rule default, client key:"),
        "each rejection is logged at debug level");
    assertTrue(
        logged.stream()
            .map(OperationsIT::format)
            .noneMatch(m -> m.contains("abuser") || m.contains("=k1")),
        "keys appear only as digests");
  }

  @Test
  void metricsInitParamRecordsInMicrometersGlobalRegistry() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try {
      WallClockWindows.awaitFreshMinute(); // the container's engine runs on the system clock
      run(
          new App()
              .servlet("/api/*", new OkServlet())
              .initParam("limits", "1/1m")
              .initParam("metrics", "micrometer")
              .initParam("rules.global-metrics.path", "/api/global-metrics"));
      assertEquals(200, get("/api/global-metrics").statusCode());
      assertEquals(429, get("/api/global-metrics").statusCode());

      assertEquals(
          1,
          registry
              .counter("tollgate.requests", "rule", "global-metrics", "outcome", "admitted")
              .count());
      assertEquals(
          1,
          registry
              .counter("tollgate.requests", "rule", "global-metrics", "outcome", "rate_limited")
              .count());
    } finally {
      Metrics.removeRegistry(registry);
    }
  }

  // ---- the engine and the startup log ----------------------------------------------------------

  @Test
  void filterCreatedByTheContainerPublishesItsEngineAndLogsTheConfigurationOnceWithoutSecrets()
      throws Exception {
    String secret = "abuser-secret";
    run(
        new App()
            .servlet("/api/*", new OkServlet())
            .initParam("limits", "100/1m, 10000/24h rolling")
            .initParam("client.key", "header:X-Api-Key, ip")
            .initParam("suspended", ClientKeys.hashed("key:", secret))
            .initParam("status.path", "/rate_limit"));
    Tollgate engine = published();
    assertSame(engine, published());
    assertEquals(100, engine.config().defaultRule().limits().get(0).quota());
    assertEquals(403, get("/api/assets", KEY, secret).statusCode());
    assertEquals(200, get("/api/assets", KEY, "fine").statusCode());

    List<String> summaries =
        logged.stream()
            .filter(r -> r.getLevel().equals(Level.INFO))
            .map(OperationsIT::format)
            .filter(m -> m.startsWith("Tollgate: clients by"))
            .toList();
    assertEquals(
        1, summaries.size(), "the configuration is summarised once at start: " + summaries);
    assertTrue(
        summaries.get(0).contains("status at /rate_limit")
            && summaries.get(0).contains("1 suspended"),
        summaries.get(0));
    assertTrue(
        logged.stream().map(OperationsIT::format).noneMatch(m -> m.contains(secret)),
        "no secret is logged");
  }
}
