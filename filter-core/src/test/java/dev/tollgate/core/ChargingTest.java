package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreUnavailableException;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the engine does once a request is complete, around the store: what it reports as charged, a
 * charge sent through the store interface, a charge the store loses (counted, warned about once a
 * minute), a failure while completing (logged, never thrown at the adapter), and the warnings at
 * startup about limits the engine can only partly enforce.
 */
class ChargingTest {

  private final FakeClock clock = FakeClock.at1800();
  private final FakeCostClock cost = FakeCostClock.withCpu();
  private final TestRequest request = TestRequest.get("/search").from("198.51.100.1");
  private final RecordingMetrics metrics = new RecordingMetrics();

  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            Object[] args = r.getParameters() == null ? new Object[0] : r.getParameters();
            warnings.add(MessageFormat.format(r.getMessage(), args));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  private Tollgate engine(RateLimitStore store, CostClock costClock, String... kv) {
    return Tollgate.builder(TollgateConfig.parse(props(kv)))
        .store(store)
        .clock(clock)
        .costClock(costClock)
        .metrics(metrics)
        .build();
  }

  private Tollgate engine(String... kv) {
    return engine(InMemoryStore.create(100, clock), cost, kv);
  }

  private void serve(Tollgate t, Duration took, long bytes) {
    Verdict v = t.check(request);
    assertTrue(v.proceed());
    cost.compute(took);
    v.complete(200, bytes);
  }

  private List<String> warningsContaining(String text) {
    return warnings.stream().filter(w -> w.contains(text)).toList();
  }

  // ---- what is reported as charged -----------------------------------------------------------

  @Test
  void eachMeasuredUnitIsReportedOncePerRequest() {
    Tollgate t = engine("limits", "30s/1m time, 20s/1m cpu, 1MB/1m bytes, 5s/1h time");
    serve(t, Duration.ofMillis(1500), 4096);
    assertEquals(
        List.of("TIME 1500", "CPU 1500", "BYTES 4096"), metrics.charged, "one each, in unit order");
  }

  @Test
  void onlyTheUnitsARouteLimitsAreReported() {
    serve(engine("limits", "20s/1m cpu"), Duration.ofMillis(700), 4096);
    assertEquals(List.of("CPU 700"), metrics.charged);
  }

  // ---- through the store interface -----------------------------------------------------------

  @Test
  void aChargeReachesASharedStoreForEveryBucketOfTheRoute() {
    ChargingStore store = new ChargingStore(InMemoryStore.create(100, clock));
    Tollgate t =
        engine(
            store,
            cost,
            "limits",
            "30s/1m time",
            "rules.search.path",
            "/search",
            "rules.search.limits",
            "10s/1m time");
    serve(t, Duration.ofSeconds(4), 0);
    assertEquals(1, store.charges.size());
    ChargeRequest c = store.charges.get(0);
    assertEquals(2, c.buckets().size(), "the default rule's bucket and the search rule's");
    assertEquals("ip:198.51.100.1", c.buckets().get(1).client());
    assertEquals(List.of(4000L, 4000L), List.of(c.amounts()[0], c.amounts()[1]));
    Verdict next = t.check(request);
    assertEquals(26_000, MultiLimitTest.remaining(next, "time-minute"));
    assertEquals(List.of(), metrics.lost);
  }

  @Test
  void aLostChargeIsCountedEveryTimeAndWarnedAboutOnceAMinute() {
    ChargingStore store = new ChargingStore(InMemoryStore.create(100, clock));
    Tollgate t = engine(store, cost, "limits", "30s/1m time");
    store.fault = new StoreUnavailableException("connection reset");
    serve(t, Duration.ofSeconds(1), 0);
    serve(t, Duration.ofSeconds(1), 0);
    assertEquals(2, metrics.lost.size());
    List<String> lost = warningsContaining("A charge after the response was lost");
    assertEquals(1, lost.size(), "once a minute: " + warnings);
    assertTrue(lost.get(0).contains("connection reset"), lost.get(0));

    store.fault = null;
    store.throwing = new IllegalStateException("bug in the store's charge");
    clock.advance(Duration.ofMinutes(1));
    serve(t, Duration.ofSeconds(1), 0);
    assertEquals(3, metrics.lost.size(), "thrown at once: lost as well");
    assertEquals(2, warningsContaining("A charge after the response was lost").size());
    assertEquals(
        30_000,
        MultiLimitTest.remaining(t.check(request), "time-minute"),
        "the client was not charged");
  }

  @Test
  void aFailureWhileCompletingIsLoggedNotThrownAtTheAdapter() {
    metrics.failCharged = true;
    Tollgate t = engine("limits", "30s/1m time");
    serve(t, Duration.ofSeconds(1), 0);
    assertEquals(1, warningsContaining("Tollgate could not charge a completed request").size());
  }

  // ---- warnings at startup ------------------------------------------------------------------

  @Test
  void aStoreThatCannotChargeIsWarnedAboutForEveryKindOfChargedLimit() {
    RateLimitStore admissionOnly = InMemoryStore.create(100, clock)::acquire;
    String warning = "cannot charge after the response";
    engine(admissionOnly, cost, "limits", "100/1m");
    assertEquals(List.of(), warningsContaining(warning), "nothing is charged after the response");
    engine(admissionOnly, cost, "limits", "30s/1m time");
    assertEquals(1, warningsContaining(warning).size(), "a time limit");
    engine(admissionOnly, cost, "limits", "100/1m", "count", "failed");
    assertEquals(2, warningsContaining(warning).size(), "a rule counting failed responses");
    engine(admissionOnly, cost, "limits", "100/1m", "refund-on-server-error", "true");
    assertEquals(3, warningsContaining(warning).size(), "a rule refunding server errors");
    engine(InMemoryStore.create(100, clock), cost, "limits", "30s/1m time", "count", "failed");
    assertEquals(3, warningsContaining(warning).size(), "the in-memory store charges");
  }

  @Test
  void aJvmWithoutThreadCpuTimeIsWarnedAboutOnlyForCpuLimits() {
    String warning = "cannot measure thread CPU time";
    RateLimitStore store = InMemoryStore.create(100, clock);
    engine(store, FakeCostClock.withoutCpu(), "limits", "30s/1m time");
    assertEquals(List.of(), warningsContaining(warning));
    engine(store, FakeCostClock.withCpu(), "limits", "20s/1m cpu");
    assertEquals(List.of(), warningsContaining(warning), "a thread that has used no CPU yet");
    engine(store, FakeCostClock.withoutCpu(), "limits", "100/1m, 20s/1m cpu");
    assertEquals(1, warningsContaining(warning).size());
  }

  /** Records what the engine reports; can fail when told a charge. */
  private static final class RecordingMetrics implements TollgateMetrics {
    final List<String> charged = new ArrayList<>();
    final List<Throwable> lost = new CopyOnWriteArrayList<>();
    volatile boolean failCharged;

    @Override
    public void charged(QuotaUnit unit, long amount) {
      if (failCharged) {
        throw new IllegalStateException("metrics registry closed");
      }
      charged.add(unit + " " + amount);
    }

    @Override
    public void chargeLost(Throwable error) {
      lost.add(error);
    }
  }

  /**
   * A shared store that charges through the store interface: its delegate decides and charges, or
   * the charge fails after the call ({@link #fault}) or in it ({@link #throwing}).
   */
  private static final class ChargingStore implements RateLimitStore {
    private final InMemoryStore delegate;
    final List<ChargeRequest> charges = new CopyOnWriteArrayList<>();
    volatile RuntimeException fault;
    volatile RuntimeException throwing;

    ChargingStore(InMemoryStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public AcquireResult acquire(AcquireRequest request) {
      return delegate.acquire(request);
    }

    @Override
    public CompletionStage<Void> charge(ChargeRequest request) {
      if (throwing != null) {
        throw throwing;
      }
      if (fault != null) {
        return CompletableFuture.failedFuture(fault);
      }
      charges.add(request);
      return delegate.charge(request);
    }

    @Override
    public boolean charges() {
      return true;
    }
  }
}
