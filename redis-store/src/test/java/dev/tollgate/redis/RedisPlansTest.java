package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.LimitStatus;
import dev.tollgate.core.TestRequest;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that changes plan keeps its usage in Redis too: a plan's limits count in the keys of the
 * rule they replace ({@code <prefix>{client}:default:fixed:60}), so the window's count carries over
 * and only the quota it is compared with changes.
 */
class RedisPlansTest {

  /** 2023-11-14T00:00:05Z. */
  private static final long T0 = 1_699_920_005_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();

  private static TollgateConfig config(String limitsFree, String limitsPro, boolean clientOnPro) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("plans.free.limits", limitsFree);
    p.put("plans.pro.limits", limitsPro);
    p.put("plans.default", "free");
    if (clientOnPro) {
      p.put("plans.pro.clients", "203.0.113.7");
    }
    return TollgateConfig.parse(p);
  }

  private static long remaining(Verdict v, String policy) {
    for (LimitStatus l : v.limits()) {
      if (l.policy().equals(policy)) {
        return l.usage().remaining();
      }
    }
    throw new AssertionError("no " + policy + " in " + v.limits());
  }

  private static int admitted(Tollgate t, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      ok += t.check(TestRequest.get("/x").from("203.0.113.7")).proceed() ? 1 : 0;
    }
    return ok;
  }

  private void upgradeKeepsUsageAndDowngradeLimitsAtOnce(
      String prefix, String free, String pro, String window) {
    AtomicLong time = new AtomicLong(T0);
    try (RedisStore store =
            RedisStore.builder(server.uri())
                .keyPrefix(prefix)
                .timeout(Duration.ofSeconds(2))
                .scriptClock(time::get)
                .build();
        Tollgate t =
            Tollgate.builder(config(free, pro, false)).store(store).clock(time::get).build()) {
      assertEquals(80, admitted(t, 80));

      t.reconfigure(config(free, pro, true));
      Verdict upgraded = t.check(TestRequest.get("/x").from("203.0.113.7"));

      assertEquals("pro", upgraded.plan());
      assertEquals(
          919,
          remaining(upgraded, "pro-" + window),
          "80 used of free's 100, then one of pro's 1000");
      assertEquals(100, admitted(t, 100));

      t.reconfigure(config(free, pro, false));
      Verdict downgraded = t.check(TestRequest.get("/x").from("203.0.113.7"));

      assertFalse(downgraded.proceed(), "181 used of free's 100");
      assertEquals(0, remaining(downgraded, "free-" + window));
      time.addAndGet(Duration.ofSeconds(61).toMillis());
      assertTrue(t.check(TestRequest.get("/x").from("203.0.113.7")).proceed());
    }
  }

  @Test
  void fixedWindows() {
    upgradeKeepsUsageAndDowngradeLimitsAtOnce("plans-fixed:", "100/1m", "1000/1m", "minute");
  }

  @Test
  void rollingWindows() {
    upgradeKeepsUsageAndDowngradeLimitsAtOnce(
        "plans-rolling:", "100/1m rolling(1s)", "1000/1m rolling(1s)", "minute");
  }

  @Test
  void fixedAndRollingTogether() {
    AtomicLong time = new AtomicLong(T0);
    String free = "100/1m, 10000/24h rolling";
    String pro = "1000/1m, 200000/24h rolling";
    try (RedisStore store =
            RedisStore.builder(server.uri())
                .keyPrefix("plans-both:")
                .timeout(Duration.ofSeconds(2))
                .scriptClock(time::get)
                .build();
        Tollgate t =
            Tollgate.builder(config(free, pro, false)).store(store).clock(time::get).build()) {
      assertEquals(80, admitted(t, 80));
      t.reconfigure(config(free, pro, true));

      Verdict upgraded = t.check(TestRequest.get("/x").from("203.0.113.7"));

      assertEquals(919, remaining(upgraded, "pro-minute"));
      assertEquals(200_000 - 81, remaining(upgraded, "pro-day"));
    }
  }
}
