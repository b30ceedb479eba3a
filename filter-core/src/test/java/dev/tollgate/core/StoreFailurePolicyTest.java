package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.micrometer.MicrometerMetrics;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreSlowException;
import dev.tollgate.core.store.StoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The three failure policies (open, closed, local) and the slow-store rule, through the engine,
 * with a shared store that a test switches between answering, down and slow. The real Redis store
 * is exercised the same way in redis-store's tests.
 */
class StoreFailurePolicyTest {

  private final FakeClock clock = FakeClock.at1800();
  private final SwitchableStore store = new SwitchableStore(InMemoryStore.create(1000, clock), 2);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Tollgate engine(String... keyValues) {
    Map<String, String> props =
        new HashMap<>(
            Map.of(
                "limits",
                "10/1m",
                "rules.open.path",
                "/open",
                "rules.open.limits",
                "1000/1m",
                "rules.closed.path",
                "/closed",
                "rules.closed.limits",
                "1000/1m",
                "rules.closed.on-store-failure",
                "closed"));
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return Tollgate.builder(TollgateConfig.parse(props))
        .store(store)
        .clock(clock)
        .metrics(new MicrometerMetrics(registry))
        .build();
  }

  private static TestRequest get(String path) {
    return TestRequest.get(path).from("198.51.100.1");
  }

  @Test
  void localPolicy_countsOnThisServerWithTheQuotaDividedAndReturnsToTheSharedCounts() {
    Tollgate t = engine("on-store-failure", "local");
    for (int i = 0; i < 3; i++) {
      assertTrue(t.check(get("/")).proceed());
    }
    store.mode = Mode.DOWN;
    int admitted = 0;
    Verdict last = null;
    for (int i = 0; i < 8; i++) {
      last = t.check(get("/"));
      admitted += last.proceed() ? 1 : 0;
    }
    assertEquals(5, admitted, "10 per minute divided by 2 expected servers");
    assertEquals(429, last.status());
    assertTrue(
        last.headers().toString().contains("q=5"),
        "headers report the local quota: " + last.headers());
    assertEquals(1, registry.get("tollgate.store.local").gauge().value());
    assertEquals(
        1,
        registry.counter("tollgate.store.local.switches", "to", "local").count(),
        "switched once");

    store.mode = Mode.UP;
    admitted = 0;
    for (int i = 0; i < 10; i++) {
      admitted += t.check(get("/")).proceed() ? 1 : 0;
    }
    assertEquals(
        7,
        admitted,
        "the shared count (3 used) resumes; the 5 local admissions are not added to it");
    assertEquals(0, registry.get("tollgate.store.local").gauge().value());
    assertEquals(1, registry.counter("tollgate.store.local.switches", "to", "shared").count());

    // A second outage in the same window does not grant a fresh local quota.
    store.mode = Mode.DOWN;
    assertEquals(429, t.check(get("/")).status());
  }

  @Test
  void openAndClosedPolicies_whenTheStoreIsDown() {
    Tollgate t = engine();
    store.mode = Mode.DOWN;
    for (int i = 0; i < 20; i++) {
      assertTrue(t.check(get("/open")).proceed(), "open admits");
    }
    Verdict closed = t.check(get("/closed"));
    assertEquals(503, closed.status());
    assertTrue(closed.headers().contains(new Header("Retry-After", "1")));
  }

  @Test
  void slowStore_isNeverAdmittedPastWhateverThePolicy() {
    Tollgate open = engine();
    Tollgate local = engine("on-store-failure", "local");
    store.mode = Mode.SLOW;
    assertEquals(
        503,
        open.check(get("/open")).status(),
        "a slow store may still count: not admitted uncounted");
    assertEquals(503, local.check(get("/")).status(), "nor decided locally besides");
    assertEquals(0, registry.counter("tollgate.store.local.switches", "to", "local").count());
  }

  @Test
  void theStrictestPolicyOfTheApplyingRulesWins() {
    assertEquals(
        Rule.StoreFailure.CLOSED,
        LocalFallback.stricter(Rule.StoreFailure.LOCAL, Rule.StoreFailure.CLOSED));
    assertEquals(
        Rule.StoreFailure.LOCAL,
        LocalFallback.stricter(Rule.StoreFailure.LOCAL, Rule.StoreFailure.OPEN));
    assertEquals(
        Rule.StoreFailure.LOCAL,
        LocalFallback.stricter(Rule.StoreFailure.OPEN, Rule.StoreFailure.LOCAL));
    Tollgate t = engine("on-store-failure", "local");
    store.mode = Mode.DOWN;
    assertEquals(503, t.check(get("/closed")).status(), "closed over local");
  }

  @Test
  void dryRunRulesAreReportedButDoNotRejectLocally() {
    Tollgate t =
        engine(
            "on-store-failure",
            "local",
            "rules.trial.path",
            "/trial",
            "rules.trial.limits",
            "2/1m",
            "rules.trial.dry-run",
            "true");
    store.mode = Mode.DOWN;
    for (int i = 0; i < 5; i++) {
      assertTrue(t.check(get("/trial")).proceed());
    }
    assertEquals(429, t.check(get("/trial")).status(), "the enforced local quota (5) is used up");
  }

  @Test
  void configAcceptsLocalAndNamesTheChoicesOtherwise() {
    assertEquals(
        Rule.StoreFailure.LOCAL,
        TollgateConfig.parse(Map.of("on-store-failure", "local")).defaultRule().onStoreFailure());
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                TollgateConfig.parse(
                    Map.of("rules.x.path", "/x", "rules.x.on-store-failure", "loc")));
    assertTrue(
        e.getMessage().contains("rules.x.on-store-failure")
            && e.getMessage().contains("'loc'")
            && e.getMessage().contains("open, closed or local"),
        e.getMessage());
  }

  private enum Mode {
    UP,
    DOWN,
    SLOW
  }

  /** A shared store a test can take down or make slow; up, it is an in-memory store. */
  private static final class SwitchableStore implements RateLimitStore, SharedStore {
    private final RateLimitStore delegate;
    private final int servers;
    volatile Mode mode = Mode.UP;

    SwitchableStore(RateLimitStore delegate, int servers) {
      this.delegate = delegate;
      this.servers = servers;
    }

    @Override
    public AcquireResult acquire(AcquireRequest request) {
      switch (mode) {
        case DOWN:
          throw new StoreUnavailableException("connection refused");
        case SLOW:
          throw new StoreSlowException("no answer within 1s");
        default:
          return delegate.acquire(request);
      }
    }

    @Override
    public int expectedServers() {
      return servers;
    }
  }
}
