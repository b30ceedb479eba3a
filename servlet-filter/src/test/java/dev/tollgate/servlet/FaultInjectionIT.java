package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.JETTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Clock;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreUnavailableException;
import dev.tollgate.testing.RunningContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults injected at the calls the filter makes into core (a client-key resolver that throws) and
 * core makes into the store (exceptions, errors, slow answers), over real HTTP in Jetty: never a
 * 500, the page size still holds, and each kind of warning is logged at most once a minute of the
 * engine's clock.
 */
class FaultInjectionIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final FakeClock clock = new FakeClock();
  private volatile Supplier<Throwable> storeFault;
  private volatile Supplier<Throwable> resolverFault;
  private volatile long storeSleepMillis;
  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(
                java.text.MessageFormat.format(
                    r.getMessage(), r.getParameters() == null ? new Object[0] : r.getParameters()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private RunningContainer running;

  @BeforeEach
  void start() throws Exception {
    log.addHandler(capture);
    RateLimitStore memory = InMemoryStore.create(1000, clock);
    RateLimitStore store =
        new RateLimitStore() {
          @Override
          public AcquireResult acquire(AcquireRequest request) {
            throwIfSet(storeFault);
            if (storeSleepMillis > 0) {
              try {
                Thread.sleep(storeSleepMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return memory.acquire(request);
          }
        };
    TollgateConfig config =
        TollgateConfig.builder()
            .defaultRule(
                dev.tollgate.core.Rule.builder(dev.tollgate.core.Rule.DEFAULT)
                    .limits("100/1m")
                    .build())
            .rule(
                dev.tollgate.core.Rule.builder("closed")
                    .paths("/api/closed")
                    .limits("100/1m")
                    .onStoreFailure(dev.tollgate.core.Rule.StoreFailure.CLOSED)
                    .build())
            .clientKey(
                request -> {
                  throwIfSet(resolverFault);
                  return "tenant";
                })
            .build();
    Tollgate engine = Tollgate.builder(config).store(store).clock((Clock) clock).build();
    running =
        new App()
            .servlet("/api/*", new FilterContract.EchoServlet())
            .filter(new TollgateFilter(engine))
            .startIn(JETTY);
    assertNull(running.startupFailure());
  }

  @AfterEach
  void stop() throws Exception {
    log.removeHandler(capture);
    running.close();
  }

  private static void throwIfSet(Supplier<Throwable> fault) {
    if (fault == null) {
      return;
    }
    Throwable t = fault.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw (Error) t;
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(
            "IllegalStateException", (Supplier<Throwable>) () -> new IllegalStateException("bug")),
        Arguments.of(
            "StoreUnavailableException",
            (Supplier<Throwable>) () -> new StoreUnavailableException("refused")),
        Arguments.of(
            "NoClassDefFoundError",
            (Supplier<Throwable>) () -> new NoClassDefFoundError("com/example/Missing")),
        Arguments.of("AssertionError", (Supplier<Throwable>) () -> new AssertionError("invariant")),
        Arguments.of(
            "ExceptionInInitializerError",
            (Supplier<Throwable>) () -> new ExceptionInInitializerError("init")));
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private long warningsStartingWith(String prefix) {
    return warnings.stream().filter(w -> w.startsWith(prefix)).count();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFailingStoreMeetsEachRulesPolicyAndNeverA500(String name, Supplier<Throwable> fault)
      throws Exception {
    storeFault = fault;
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> open = get("/api/assets?pageSize=5000");
      assertEquals(200, open.statusCode(), name + ": on-store-failure=open");
      assertTrue(open.body().startsWith("getParameter=1000 "), open.body());
      HttpResponse<String> closed = get("/api/closed");
      assertEquals(503, closed.statusCode(), name + ": on-store-failure=closed");
      assertEquals("1", closed.headers().firstValue("Retry-After").orElse(null));
      assertTrue(closed.body().contains("\"status\":503"), closed.body());
    }
    assertEquals(1, warningsStartingWith("Rate-limit store cannot decide"), warnings.toString());
    clock.advance(Duration.ofSeconds(60));
    get("/api/assets");
    get("/api/assets");
    assertEquals(
        2,
        warningsStartingWith("Rate-limit store cannot decide"),
        "once more a minute later: " + warnings);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFailingResolverLetsRequestsThroughUnlimitedWithTheirPageSizeHeld(
      String name, Supplier<Throwable> fault) throws Exception {
    resolverFault = fault;
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = get("/api/assets?pageSize=5000");
      assertEquals(200, r.statusCode(), name);
      assertTrue(
          r.body().startsWith("getParameter=1000 "), "the page size still holds: " + r.body());
      assertTrue(r.body().endsWith("getQueryString=pageSize=1000"), r.body());
      assertTrue(r.headers().firstValue("RateLimit").isEmpty(), "undecided: no rate-limit headers");
    }
    HttpResponse<String> invalid = get("/api/assets?pageSize=abc");
    assertEquals(400, invalid.statusCode(), "an invalid page size is still rejected");
    assertTrue(
        invalid
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("application/problem+json"));
    assertTrue(
        invalid.body().contains("\"invalid-params\":[{\"name\":\"pageSize\""), invalid.body());
    assertEquals(1, warningsStartingWith("Tollgate could not decide"), warnings.toString());
    clock.advance(Duration.ofSeconds(59));
    get("/api/assets");
    assertEquals(
        1, warningsStartingWith("Tollgate could not decide"), "not again within the minute");
    clock.advance(Duration.ofSeconds(1));
    get("/api/assets");
    assertEquals(2, warningsStartingWith("Tollgate could not decide"), "once more a minute later");
  }

  @ParameterizedTest(name = "store answers after {0} ms")
  @org.junit.jupiter.params.provider.ValueSource(longs = {300})
  void aSlowStoreIsWaitedForAndCountsAsUsual(long millis) throws Exception {
    storeSleepMillis = millis;
    HttpResponse<String> r = get("/api/assets?pageSize=5000");
    assertEquals(200, r.statusCode());
    assertEquals("\"minute\";r=99;t=50", r.headers().firstValue("RateLimit").orElse(null));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }
}
