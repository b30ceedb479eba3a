package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreUnavailableException;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's own surface: what it reports to metrics and logs for each outcome, extra rules in
 * the status document, reconfiguration, and what it builds and closes.
 */
class TollgateTest {

  private final FakeClock clock = FakeClock.at1800();
  private final Recorded metrics = new Recorded();

  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          Object[] params = r.getParameters();
          logged.add(
              r.getLevel()
                  + " "
                  + (params == null
                      ? r.getMessage()
                      : MessageFormat.format(r.getMessage(), params)));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  /** Each decision as its outcome, with {@code dry-run} when a dry-run rule would have rejected. */
  static final class Recorded implements TollgateMetrics {
    final List<String> decided = new CopyOnWriteArrayList<>();
    final List<Long> latencies = new CopyOnWriteArrayList<>();

    @Override
    public void decided(Verdict verdict, boolean dryRunRejected) {
      decided.add(verdict.outcome() + (dryRunRejected ? " dry-run" : ""));
    }

    @Override
    public void storeLatency(long nanos) {
      latencies.add(nanos);
    }
  }

  /** A store behind the SPI (not the in-memory one the engine asks directly), closed once. */
  static final class SpiStore implements RateLimitStore {
    final InMemoryStore delegate;
    volatile boolean failing;
    volatile int closed;

    SpiStore(Clock clock) {
      this.delegate = InMemoryStore.create(1000, clock);
    }

    @Override
    public AcquireResult acquire(AcquireRequest request) {
      if (failing) {
        throw new StoreUnavailableException("down");
      }
      return delegate.acquire(request);
    }

    @Override
    public void close() {
      closed++;
    }
  }

  private Tollgate engine(String... kv) {
    return Tollgate.builder(TollgateConfig.parse(props(kv))).clock(clock).metrics(metrics).build();
  }

  private static TestRequest from(String ip) {
    return TestRequest.get("/api/x").from(ip);
  }

  private static ExternalLimiter refusing(String name, long waitMillis) {
    return new ExternalLimiter() {
      @Override
      public long tryAcquire(String client, int permits) {
        return waitMillis;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  @Test
  void everyOutcomeIsReportedToTheMetricsOnce() {
    Tollgate t =
        engine(
            "limits",
            "1/1m",
            "status.path",
            "/rate_limit",
            "suspended",
            "198.51.100.66",
            "concurrency.max-per-client",
            "1");
    Verdict admitted = t.check(from("198.51.100.1"));
    t.check(from("198.51.100.1")); // concurrency: the first is still in flight
    admitted.complete(200, 0);
    t.check(from("198.51.100.1")); // the limit
    t.check(from("198.51.100.1")); // the limit again: the rejected one gave its slot back
    t.check(from("198.51.100.66"));
    t.check(TestRequest.get("/rate_limit").from("198.51.100.1"));
    assertEquals(
        List.of(
            "ADMITTED",
            "CONCURRENCY_LIMITED",
            "RATE_LIMITED",
            "RATE_LIMITED",
            "SUSPENDED",
            "STATUS"),
        metrics.decided);
  }

  @Test
  void aRefusalOfAnExternalLimiterIsReportedAndAnswered429WithItsWait() {
    TollgateConfig config =
        TollgateConfig.builder()
            .rule(
                Rule.builder("reports")
                    .paths("/reports")
                    .externalLimiter(refusing("tenant", 1))
                    .build())
            .build();
    Tollgate t = Tollgate.builder(config).clock(clock).metrics(metrics).build();
    Verdict v = t.check(TestRequest.get("/reports"));
    assertEquals(429, v.status());
    assertEquals(List.of(new Header("Retry-After", "1")), v.headers());
    assertTrue(v.body().contains("retry in 1 second.\""), v.body());
    assertEquals(List.of("RATE_LIMITED"), metrics.decided);
  }

  @Test
  void aStoreFailureIsReportedWithTheOutcomeThePolicyGave() {
    SpiStore store = new SpiStore(clock);
    store.failing = true;
    for (String policy : List.of("open", "closed")) {
      Tollgate t =
          Tollgate.builder(
                  TollgateConfig.parse(props("limits", "5/1m", "on-store-failure", policy)))
              .clock(clock)
              .store(store)
              .metrics(metrics)
              .build();
      t.check(from("198.51.100.1"));
    }
    assertEquals(List.of("ADMITTED", "STORE_UNAVAILABLE"), metrics.decided);
  }

  @Test
  void aPageSizeRejectedWhileTheStoreFailsOpenIsStillA400() {
    SpiStore store = new SpiStore(clock);
    store.failing = true;
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(props("limits", "5/1m", "on-store-failure", "open")))
            .clock(clock)
            .store(store)
            .build();
    Verdict v = t.check(from("198.51.100.1").param("pageSize", "ten"));
    assertEquals(Verdict.Outcome.INVALID_PAGE_SIZE, v.outcome());
    assertEquals(400, v.status());
    assertTrue(v.body().contains("'ten'"), v.body());
    assertEquals(List.of(), v.headers(), "nothing was counted: no rate-limit headers");
  }

  @Test
  void aDryRunRuleThatWouldRejectIsReportedAndLoggedButTheRequestGoesThrough() {
    Tollgate t =
        engine(
            "limits",
            "100/1m",
            "rules.new.path",
            "/api/**",
            "rules.new.limits",
            "1/1m",
            "rules.new.dry-run",
            "true");
    assertTrue(t.check(from("198.51.100.1")).proceed());
    assertTrue(t.check(from("198.51.100.1")).proceed());
    assertEquals(List.of("ADMITTED", "ADMITTED dry-run"), metrics.decided);
    assertTrue(
        logged.contains(
            "INFO dry-run: would answer 429 to GET /api/x (rule new, client ip:198.51.100.1)"),
        logged.toString());
  }

  @Test
  void aRequestTheEnforcedRulesRejectIsNotCountedAsADryRunRejection() {
    Tollgate t =
        engine(
            "limits",
            "1/1m",
            "rules.new.path",
            "/api/**",
            "rules.new.limits",
            "1/1m",
            "rules.new.dry-run",
            "true");
    t.check(from("198.51.100.1"));
    t.check(from("198.51.100.1"));
    assertEquals(List.of("ADMITTED", "RATE_LIMITED"), metrics.decided);
  }

  @Test
  void theStoreLatencyReportedIsTheCallsDuration() {
    Tollgate memory = engine("limits", "5/1m", "status.path", "/rate_limit");
    memory.check(from("198.51.100.1"));
    memory.check(TestRequest.get("/rate_limit"));
    Tollgate.builder(TollgateConfig.parse(props("limits", "5/1m")))
        .clock(clock)
        .store(new SpiStore(clock))
        .metrics(metrics)
        .build()
        .check(from("198.51.100.1"));
    assertEquals(3, metrics.latencies.size(), metrics.latencies.toString());
    for (long nanos : metrics.latencies) {
      assertTrue(nanos >= 0 && nanos < Duration.ofSeconds(10).toNanos(), "latency " + nanos);
    }
  }

  @Test
  void aRejectionIsLoggedAtDebugWithItsRetryAfter() {
    Level before = log.getLevel();
    log.setLevel(Level.FINE);
    try {
      Tollgate t = engine("limits", "1/1m");
      t.check(from("198.51.100.1"));
      t.check(from("198.51.100.1"));
    } finally {
      log.setLevel(before);
    }
    assertTrue(
        logged.contains(
            "FINE 429 for GET /api/x (rule default, client ip:198.51.100.1); retry in 60s"),
        logged.toString());
  }

  @Test
  void aReportedRuleIsInTheStatusDocumentBeforeItsFirstRequest() {
    Tollgate t = engine("limits", "5/1m", "status.path", "/rate_limit");
    Rule annotated = Rule.builder("annotated").limits("3/1h").build();
    t.reportRule(annotated);
    String doc = t.check(TestRequest.get("/rate_limit")).body();
    assertTrue(doc.contains("\"policy\":\"annotated.hour\""), doc);
  }

  @Test
  void aRulePassedToCheckIsInTheStatusDocumentFromThenOn() {
    Tollgate t = engine("limits", "5/1m", "status.path", "/rate_limit");
    Rule annotated = Rule.builder("passed").limits("3/1h").build();
    assertFalse(t.check(TestRequest.get("/rate_limit")).body().contains("passed.hour"));
    t.check(from("198.51.100.1"), annotated);
    String doc = t.check(TestRequest.get("/rate_limit").from("198.51.100.1")).body();
    assertTrue(doc.contains("\"policy\":\"passed.hour\""), doc);
    assertTrue(doc.contains("\"remaining\":2"), doc);
  }

  @Test
  void aStatusRequestWhileTheStoreFailsIsA503() {
    SpiStore store = new SpiStore(clock);
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(props("limits", "5/1m", "status.path", "/s")))
            .clock(clock)
            .store(store)
            .build();
    store.failing = true;
    Verdict v = t.check(TestRequest.get("/s"));
    assertEquals(503, v.status());
    assertEquals(List.of(new Header("Retry-After", "1")), v.headers());
    assertTrue(v.body().contains("retry in 1 second.\""), v.body());
  }

  @Test
  void reconfigurationReplacesTheConfiguredSuspensionsAndIsLogged() {
    Tollgate t = engine("limits", "5/1m");
    assertTrue(t.check(from("198.51.100.1")).proceed());
    TollgateConfig next =
        TollgateConfig.parse(props("limits", "5/1m", "suspended", "198.51.100.1"));
    t.reconfigure(next);
    assertEquals(403, t.check(from("198.51.100.1")).status());
    assertTrue(logged.contains("INFO Reconfigured. " + next.summary()), logged.toString());
  }

  @Test
  void buildingLogsTheSummaryAndWarnsOfLimitsTheStoreCannotCharge() {
    TollgateConfig config = TollgateConfig.parse(props("limits", "5/1m, 10s/1m time"));
    Tollgate.builder(config).clock(clock).store(new SpiStore(clock)).build();
    assertTrue(logged.contains("INFO " + config.summary()), logged.toString());
    assertTrue(
        logged.stream()
            .anyMatch(
                m ->
                    m.startsWith("WARNING The store " + SpiStore.class.getName())
                        && m.contains("cannot charge after the response")),
        logged.toString());
  }

  @Test
  void theEngineGivesItsClockAndStoreAndClosesTheStore() {
    SpiStore store = new SpiStore(clock);
    Tollgate t = Tollgate.builder(TollgateConfig.parse(Map.of())).clock(clock).store(store).build();
    assertSame(clock, t.clock());
    assertSame(store, t.store());
    t.close();
    assertEquals(1, store.closed);
  }

  @Test
  void aPlanThatLowersThePageSizeAppliesToThePageSizeAlone() {
    Tollgate t =
        engine(
            "limits",
            "10/1m",
            "client.key",
            "principal, ip",
            "plans.free.limits",
            "5/1m",
            "plans.free.page-size.max",
            "50",
            "plans.pro.limits",
            "20/1m",
            "plans.pro.clients",
            "user:alice",
            "plans.default",
            "free");
    TestRequest bob = TestRequest.get("/x").principal("bob").param("pageSize", "500");
    TestRequest alice = TestRequest.get("/x").principal("alice").param("pageSize", "500");
    assertEquals(Map.of("pageSize", 50), t.pageSize(bob, null).values());
    assertEquals(Map.of("pageSize", 500), t.pageSize(alice, null).values());
  }

  @Test
  void aConcurrencyLimitedRequestIsAnswered429WithTheCapInItsBody() {
    Tollgate t = engine("limits", "5/1m", "concurrency.max-per-client", "1");
    t.check(from("198.51.100.1"));
    Verdict v = t.check(from("198.51.100.1"));
    assertEquals(429, v.status());
    assertEquals(List.of(new Header("Retry-After", "1")), v.headers());
    assertTrue(v.body().contains("This client already has 1 requests in flight"), v.body());
    assertTrue(v.body().contains("\"violated-policies\":[\"concurrency\"]"), v.body());
  }

  @Test
  void theConcurrencyCapCountsPerClientOfTheConfigurationsChainWhenNoLimitUsesIt() {
    // The only limits are keyed by API key: the cap still counts per address (the chain's key).
    Tollgate t =
        engine(
            "concurrency.max-per-client",
            "1",
            "rules.api.path",
            "/api/**",
            "rules.api.limits",
            "5/1m",
            "rules.api.client.key",
            "header:X-Api-Key");
    assertTrue(t.check(from("198.51.100.1").header("X-Api-Key", "k")).proceed());
    assertTrue(t.check(from("198.51.100.2").header("X-Api-Key", "k")).proceed());
    assertEquals(
        Verdict.Outcome.CONCURRENCY_LIMITED,
        t.check(from("198.51.100.1").header("X-Api-Key", "other")).outcome());
  }

  @Test
  void aFailingExternalLimiterGivesTheConcurrencySlotBack() {
    ExternalLimiter failing =
        new ExternalLimiter() {
          int calls;

          @Override
          public long tryAcquire(String client, int permits) {
            if (calls++ == 0) {
              throw new IllegalStateException("limiter down");
            }
            return 0;
          }

          @Override
          public String name() {
            return "flaky";
          }
        };
    TollgateConfig config =
        TollgateConfig.builder()
            .maxConcurrentPerClient(1)
            .rule(Rule.builder("reports").paths("/reports").externalLimiter(failing).build())
            .build();
    Tollgate t = Tollgate.builder(config).clock(clock).build();
    try {
      t.check(TestRequest.get("/reports"));
    } catch (IllegalStateException expected) {
      // the adapter lets the request through; the slot must not stay taken
    }
    assertTrue(t.check(TestRequest.get("/reports")).proceed());
  }

  @Test
  void aDryRunExternalLimiterRefusalIsLoggedAndLetThrough() {
    TollgateConfig config =
        TollgateConfig.builder()
            .rule(
                Rule.builder("reports")
                    .paths("/reports")
                    .dryRun(true)
                    .externalLimiter(refusing("tenant", 5000))
                    .build())
            .build();
    Tollgate t = Tollgate.builder(config).clock(clock).build();
    assertTrue(t.check(TestRequest.get("/reports")).proceed());
    assertTrue(
        logged.contains("INFO dry-run: tenant would answer 429 to GET /reports"),
        logged.toString());
  }

  @Test
  void anAddressSuspendedIsRefusedWhateverKeyTheClientIsCountedBy() {
    Level before = log.getLevel();
    log.setLevel(Level.FINE);
    Verdict v;
    try {
      Tollgate t =
          engine(
              "limits",
              "5/1m",
              "client.key",
              "header:X-Api-Key, ip",
              "suspended",
              "203.0.113.0/24");
      v = t.check(from("203.0.113.5").header("X-Api-Key", "abc"));
    } finally {
      log.setLevel(before);
    }
    assertEquals(403, v.status());
    String key = ClientKeys.hashed("key:", "abc");
    assertTrue(
        logged.contains("FINE 403 (suspended) for GET /api/x, client " + key), logged.toString());
  }

  @Test
  void everyLimitOfEnforcedAndDryRunRulesShowsItsOwnNumbersInEitherKindOfStore() {
    for (boolean spi : new boolean[] {false, true}) {
      TollgateConfig config =
          TollgateConfig.parse(
              props(
                  "limits",
                  "10/1m, 100/1h",
                  "rules.a.path",
                  "/api/**",
                  "rules.a.limits",
                  "5/1m",
                  "rules.a.client.key",
                  "header:X-Api-Key",
                  "rules.new.path",
                  "/api/x",
                  "rules.new.limits",
                  "3/1m, 30/1h",
                  "rules.new.dry-run",
                  "true",
                  "on-store-failure",
                  "closed"));
      Tollgate.Builder b = Tollgate.builder(config).clock(clock);
      Tollgate t = (spi ? b.store(new SpiStore(clock)) : b).build();
      TestRequest r = from("198.51.100.1").header("X-Api-Key", "k");
      t.check(r);
      Verdict v = t.check(r);
      assertTrue(v.proceed(), "spi " + spi);
      StringBuilder seen = new StringBuilder();
      for (LimitStatus l : v.limits()) {
        seen.append(l.policy()).append('=').append(l.usage().remaining()).append(' ');
      }
      assertEquals(
          "minute=8 hour=98 a.minute=3 new.minute=1 new.hour=28 ", seen.toString(), "spi " + spi);
      assertEquals(60, v.limits().get(0).resetSeconds());
    }
  }

  @Test
  void aVerdictDecidedWithoutTheStoreWritesItsHeadersAndSaysWhatItIs() {
    SpiStore store = new SpiStore(clock);
    store.failing = true;
    Tollgate t =
        Tollgate.builder(
                TollgateConfig.parse(props("limits", "5/1m", "on-store-failure", "closed")))
            .clock(clock)
            .store(store)
            .build();
    Verdict v = t.check(from("198.51.100.1").param("pageSize", "5"));
    List<String> written = new CopyOnWriteArrayList<>();
    v.writeHeaders((name, value) -> written.add(name + ": " + value));
    assertEquals(List.of("Retry-After: 1"), written);
    assertEquals("STORE_UNAVAILABLE rule=default pageSize=KEPT {pageSize=5}", v.toString());
  }

  @Test
  void aPolicyNameOfAnEndpointRuleIsTheRuleAndTheLimitsName() {
    Limit limit = Limit.parse("5/1m");
    String rule = "rule-seen-nowhere-else";
    assertEquals(rule + ".minute", LimitStatus.policyName(rule, limit));
    assertSame(LimitStatus.policyName(rule, limit), LimitStatus.policyName(rule, limit));
    assertEquals("minute", LimitStatus.policyName(Rule.DEFAULT, limit));
  }

  @Test
  void metricsMicrometerRecordsInTheGlobalRegistryUnlessMetricsAreChosen() {
    SimpleMeterRegistry global = new SimpleMeterRegistry();
    Metrics.addRegistry(global);
    try {
      TollgateConfig config =
          TollgateConfig.parse(props("limits", "5/1m", "metrics", "micrometer"));
      Tollgate.builder(config).clock(clock).build().check(from("198.51.100.1"));
      Tollgate.builder(config).clock(clock).metrics(metrics).build().check(from("198.51.100.1"));
      Tollgate.builder(TollgateConfig.parse(props("limits", "5/1m")))
          .clock(clock)
          .build()
          .check(from("198.51.100.1"));
      assertEquals(
          1, global.counter("tollgate.requests", "rule", "default", "outcome", "admitted").count());
      assertEquals(List.of("ADMITTED"), metrics.decided);
    } finally {
      Metrics.removeRegistry(global);
    }
  }

  private static long remaining(Verdict v, String policy) {
    return v.limits().stream()
        .filter(l -> l.policy().equals(policy))
        .findFirst()
        .orElseThrow()
        .usage()
        .remaining();
  }

  @Test
  void aRuleWithItsOwnClientKeyCountsEachOfItsClientsWithOrWithoutPlans() {
    String[] withoutPlans = {
      "limits", "10/1m",
      "rules.a.path", "/api/**",
      "rules.a.limits", "5/1m",
      "rules.a.client.key", "header:X-Api-Key"
    };
    String[] withPlans = new String[withoutPlans.length + 4];
    System.arraycopy(withoutPlans, 0, withPlans, 0, withoutPlans.length);
    System.arraycopy(
        new String[] {"plans.free.limits", "10/1m", "plans.default", "free"},
        0,
        withPlans,
        withoutPlans.length,
        4);
    for (String[] kv : List.of(withoutPlans, withPlans)) {
      Tollgate t = Tollgate.builder(TollgateConfig.parse(props(kv))).clock(clock).build();
      t.check(from("198.51.100.1").header("X-Api-Key", "k1"));
      Verdict v = t.check(from("198.51.100.1").header("X-Api-Key", "k2"));
      assertEquals(4, remaining(v, "a.minute"), "k2's first request; plans: " + kv.length);
      assertEquals(8, v.limits().get(0).usage().remaining(), "the address's second request");
    }
  }

  @Test
  void reconfiguringAwayFromPlansStopsTheOldResolversThreads() throws Exception {
    List<Thread> askedOn = new CopyOnWriteArrayList<>();
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("free").limits(Limit.of(5, Duration.ofMinutes(1))).build())
            .defaultPlan("free")
            .byResolver(
                client -> {
                  askedOn.add(Thread.currentThread());
                  return "free";
                })
            .clock(clock)
            .build();
    Tollgate t = Tollgate.builder(TollgateConfig.builder().build()).clock(clock).build();
    t.reconfigure(TollgateConfig.builder().plans(plans).build());
    assertEquals("free", t.check(from("198.51.100.1")).plan());
    Thread resolverThread = askedOn.get(0);

    t.reconfigure(TollgateConfig.builder().build());

    resolverThread.join(5_000);
    assertFalse(resolverThread.isAlive(), "the old plans' thread outlived them");
  }

  @Test
  void withAStatusPathAndPlansThatLowerPageSizesTheClientsPlanIsFoundOncePerRequest() {
    List<String> fallbacks = new CopyOnWriteArrayList<>();
    Plans plans =
        Plans.builder()
            .plan(
                Plan.builder("free")
                    .limits(Limit.of(5, Duration.ofMinutes(1)))
                    .pageSizeMax(50)
                    .build())
            .defaultPlan("free")
            .byResolver(
                client -> {
                  throw new IllegalStateException("billing down");
                })
            .clock(clock)
            .build();
    TollgateMetrics counting =
        new TollgateMetrics() {
          @Override
          public void planFallback(String reason) {
            fallbacks.add(reason);
          }
        };
    TollgateConfig config =
        TollgateConfig.builder()
            .clientKey(ClientKeys.principal())
            .statusPath("/rate_limit")
            .plans(plans)
            .build();
    Tollgate t = Tollgate.builder(config).clock(clock).metrics(counting).build();
    Verdict v = t.check(TestRequest.get("/x").principal("alice").param("pageSize", "500"));
    assertEquals(Map.of("pageSize", 50), v.pageSize().values());
    assertEquals(List.of("error"), fallbacks);
  }
}
