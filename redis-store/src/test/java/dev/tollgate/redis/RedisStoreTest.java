package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.LimitUsage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The script against a real redis-server: the same decisions as the in-memory store, window
 * boundaries, multi-limit atomicity, key layout and expiry. Most tests decide at a fake clock's
 * time (passed to the script in place of {@code TIME}) so that windows are crossed without waiting;
 * the tests named "...RedisClock..." use the Redis server's own clock.
 */
class RedisStoreTest {

  private static final long MINUTE = 60_000;

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  private static final Limit FIXED = Limit.parse("10/1m");
  private static final Limit DAILY = Limit.parse("100/24h rolling");
  private static final Limit TOKEN = Limit.parse("7/1m token-bucket");
  private static final Limit ROLLING = Limit.parse("20/1m rolling");
  private static final Limit COARSE = Limit.parse("50/10m rolling(1m) as coarse");
  private static final Limit ODD = Limit.parse("3/7s token-bucket as odd");

  private final AtomicLong time = new AtomicLong(T0);
  private final InMemoryStore memory = InMemoryStore.create(1000, time::get);
  private RedisStore store;

  @BeforeEach
  void fresh() {
    redis.flushall();
    store =
        RedisStore.builder(server.uri())
            .timeout(Duration.ofSeconds(2))
            .scriptClock(time::get)
            .build();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void decidesExactlyAsTheInMemoryStoreOverRandomTraffic() {
    // Every algorithm is compared: a new one fails here until its limits are added below.
    assertEquals(
        EnumSet.allOf(Algorithm.class),
        Stream.of(FIXED, DAILY, TOKEN, ROLLING, COARSE, ODD)
            .map(Limit::algorithm)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Algorithm.class))));
    Random random = new Random(42);
    int[] outcomes = new int[2];
    for (int step = 0; step < 3000; step++) {
      String client = "ip:10.0.0." + random.nextInt(4);
      List<Bucket> buckets = new ArrayList<>();
      buckets.add(new Bucket("default", client, List.of(FIXED, DAILY, TOKEN), false));
      if (random.nextBoolean()) {
        buckets.add(
            new Bucket("reports", client, List.of(ROLLING, COARSE, ODD), random.nextInt(4) == 0));
      }
      compare(
          step,
          new AcquireRequest(buckets, random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(2)),
          outcomes);
      int r = random.nextInt(100);
      time.addAndGet(
          r < 85
              ? random.nextInt(1_500)
              : r < 98 ? random.nextInt(60_000) : random.nextInt(30) * 3_600_000L);
    }
    assertTrue(
        outcomes[0] > 150 && outcomes[1] > 150,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }

  @Test
  void decidesExactlyAsTheInMemoryStoreWhenTheClockJumpsBack() {
    // One client whose every state is read at each step, so neither store can have dropped a state
    // the other still holds (Redis expires keys on its real clock, not on the test's).
    Random random = new Random(7);
    int[] outcomes = new int[2];
    List<Bucket> buckets =
        List.of(
            new Bucket("default", "c", List.of(FIXED, DAILY, TOKEN), false),
            new Bucket("reports", "c", List.of(ROLLING, COARSE, ODD), true));
    for (int step = 0; step < 2000; step++) {
      compare(
          step,
          new AcquireRequest(buckets, random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(2)),
          outcomes);
      int r = random.nextInt(100);
      time.addAndGet(
          r < 80
              ? random.nextInt(4_000)
              : r < 90 ? random.nextInt(40_000) : -random.nextInt(150_000));
    }
    assertTrue(
        outcomes[0] > 150 && outcomes[1] > 150,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }

  @Test
  void aQuotaChangeKeepsEachClientsUsageExactlyAsInMemory() {
    // A reload changes only quotas (same windows and algorithms): both stores keep what was used.
    List<Limit> before = List.of(FIXED, DAILY, TOKEN);
    List<Limit> after = List.of(FIXED.withQuota(20), DAILY.withQuota(200), TOKEN.withQuota(14));
    int[] outcomes = new int[2];
    for (int step = 0; step < 6; step++) {
      compare(
          step,
          new AcquireRequest(List.of(new Bucket("default", "c", before, false)), 1),
          outcomes);
      time.addAndGet(700);
    }
    for (int step = 6; step < 40; step++) {
      compare(
          step,
          new AcquireRequest(
              List.of(new Bucket("default", "c", step % 2 == 0 ? after : before, false)), 1),
          outcomes);
      time.addAndGet(900);
    }
    assertTrue(
        outcomes[0] > 0 && outcomes[1] > 0,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }

  @Test
  void aQuotaGoingDownAndUpAgainGrantsNothingFreshExactlyAsInMemory() {
    Limit large = Limit.parse("150/1m token-bucket");
    Limit small = large.withQuota(100);
    int[] outcomes = new int[2];
    for (int step = 0; step < 160; step++) {
      compare(
          step,
          new AcquireRequest(List.of(new Bucket("default", "c", List.of(large), false)), 1),
          outcomes);
    }
    for (int step = 160; step < 180; step++) {
      compare(
          step,
          new AcquireRequest(
              List.of(new Bucket("default", "c", List.of(step % 2 == 0 ? small : large), false)),
              1),
          outcomes);
    }
    assertEquals(150, outcomes[0], "admitted only the larger quota once");
    time.addAndGet(61_000);
    compare(
        180,
        new AcquireRequest(List.of(new Bucket("default", "c", List.of(large), false)), 1),
        outcomes);
    assertEquals(151, outcomes[0]);
  }

  private void compare(int step, AcquireRequest request, int[] outcomes) {
    AcquireResult expected = memory.acquire(request);
    AcquireResult actual = store.acquire(request);
    assertEquals(expected, actual, "step " + step + " at " + time.get() + " for " + request);
    outcomes[expected.admitted() ? 0 : 1]++;
  }

  @Test
  void fixedWindowRestoresTheQuotaAtTheEpochAlignedBoundary() {
    Limit limit = Limit.parse("3/1m");
    time.set(T0 + 59_000);
    for (int i = 0; i < 3; i++) {
      assertTrue(acquire("c", limit).admitted());
    }
    AcquireResult rejected = acquire("c", limit);
    assertFalse(rejected.admitted());
    assertEquals(1_000, rejected.usages().get(0).retryAfterMillis());
    assertEquals(1_000, rejected.usages().get(0).resetMillis());

    time.set(T0 + MINUTE - 1);
    assertFalse(acquire("c", limit).admitted());
    time.set(T0 + MINUTE);
    AcquireResult next = acquire("c", limit);
    assertTrue(next.admitted());
    assertEquals(2, next.usages().get(0).remaining());
    assertEquals(MINUTE, next.usages().get(0).resetMillis());
  }

  @Test
  void rollingDayNeverAdmitsMoreThanTheQuotaInAnyTwentyFourHours() {
    Limit daily = Limit.parse("10/24h rolling"); // precision 1h
    time.set(T0);
    for (int i = 0; i < 10; i++) {
      assertTrue(acquire("c", daily).admitted());
      time.addAndGet(3_600_000); // one per hour
    }
    // 10 h later all 10 are still within the last 24 h.
    time.set(T0 + 23 * 3_600_000L);
    AcquireResult rejected = acquire("c", daily);
    assertFalse(rejected.admitted());
    // The first request's bucket [T0, T0+1h) leaves the window at T0 + 25 h.
    assertEquals(2 * 3_600_000L, rejected.usages().get(0).retryAfterMillis());
    time.set(T0 + 25 * 3_600_000L - 1);
    assertFalse(acquire("c", daily).admitted());
    time.set(T0 + 25 * 3_600_000L);
    AcquireResult admitted = acquire("c", daily);
    assertTrue(admitted.admitted());
    assertEquals(0, admitted.usages().get(0).remaining());
  }

  @Test
  void tokenBucketRefillsOneTokenPerIntervalOnTheScriptsClock() {
    Limit limit = Limit.parse("60/1m token-bucket"); // one token per second
    for (int i = 0; i < 60; i++) {
      assertTrue(acquire("c", limit).admitted());
    }
    AcquireResult rejected = acquire("c", limit);
    assertFalse(rejected.admitted());
    assertEquals(1_000, rejected.usages().get(0).retryAfterMillis());
    time.addAndGet(999);
    assertFalse(acquire("c", limit).admitted());
    time.addAndGet(1);
    assertTrue(acquire("c", limit).admitted());
  }

  @Test
  void aRequestRejectedByOneLimitConsumesFromNoneOfItsLimits() {
    Limit perMinute = Limit.parse("5/1m");
    Limit perSecond = Limit.parse("2/1s");
    Limit endpoint = Limit.parse("100/1h rolling");
    List<Bucket> buckets =
        List.of(
            new Bucket("default", "c", List.of(perMinute, perSecond), false),
            new Bucket("reports", "c", List.of(endpoint), false));
    assertTrue(store.acquire(new AcquireRequest(buckets, 1)).admitted());
    assertTrue(store.acquire(new AcquireRequest(buckets, 1)).admitted());
    AcquireResult rejected = store.acquire(new AcquireRequest(buckets, 1));
    assertFalse(rejected.admitted());
    assertEquals(List.of(3L, 0L, 98L), remaining(rejected));
    assertEquals(List.of(false, true, false), rejectedBy(rejected));
    // The redis state confirms nothing was taken by the rejected call.
    assertEquals(List.of(3L, 0L, 98L), remaining(store.acquire(new AcquireRequest(buckets, 0))));
  }

  @Test
  void aCountRejectedBucketIsConsumedEvenWhenAnotherBucketRejects() {
    Limit tight = Limit.parse("1/1m");
    Limit counted = Limit.parse("10/1m as counted");
    List<Bucket> buckets =
        List.of(
            new Bucket("default", "c", List.of(tight), false),
            new Bucket("strict", "c", List.of(counted), true));
    store.acquire(new AcquireRequest(buckets, 1));
    AcquireResult rejected = store.acquire(new AcquireRequest(buckets, 1));
    assertFalse(rejected.admitted());
    assertEquals(List.of(0L, 8L), remaining(rejected));
  }

  @Test
  void twoLimitsWithTheSameWindowInOneRuleKeepSeparateStates() {
    Limit a = Limit.parse("3/1m token-bucket as a");
    Limit b = Limit.parse("6/1m token-bucket as b");
    InMemoryStore memory = InMemoryStore.create(10, time::get);
    AcquireRequest request =
        new AcquireRequest(List.of(new Bucket("default", "c", List.of(a, b), false)), 1);
    for (int i = 0; i < 5; i++) {
      assertEquals(memory.acquire(request), store.acquire(request));
    }
    assertEquals(2, redis.keys("tollgate:*").size());
  }

  @Test
  void keysCarryThePrefixAndTheClientAsHashTagSoOneClientsKeysShareASlot() {
    String client = "key:ab}c%d";
    store.acquire(
        new AcquireRequest(
            List.of(
                new Bucket(
                    "default",
                    client,
                    List.of(Limit.parse("5/1m"), Limit.parse("50/24h rolling")),
                    false),
                new Bucket("reports", client, List.of(Limit.parse("2/1s token-bucket")), false)),
            1));
    List<String> keys = redis.keys("*");
    assertEquals(
        Set.of(
            "tollgate:{key:ab%7Dc%25d}:default:fixed:60",
            "tollgate:{key:ab%7Dc%25d}:default:rolling:86400:3600",
            "tollgate:{key:ab%7Dc%25d}:reports:token-bucket:1"),
        new HashSet<>(keys));
    Set<Integer> slots = new HashSet<>();
    for (String k : keys) {
      slots.add(SlotHash.getSlot(k));
    }
    assertEquals(1, slots.size());
    assertEquals(SlotHash.getSlot("{key:ab%7Dc%25d}"), slots.iterator().next());
  }

  @Test
  void theKeyPrefixIsConfigurable() {
    try (RedisStore other = RedisStore.builder(server.uri()).keyPrefix("app1:rl:").build()) {
      other.acquire(
          new AcquireRequest(
              List.of(new Bucket("default", "c", List.of(Limit.parse("5/1m")), false)), 1));
    }
    assertEquals(List.of("app1:rl:{c}:default:fixed:60"), redis.keys("*"));
  }

  @Test
  void keysExpireWhenTheirStateWouldBeFreshAgain() {
    time.set(T0 + 10_000);
    acquire(
        "c", Limit.parse("5/1m"), Limit.parse("60/1m token-bucket"), Limit.parse("100/1h rolling"));
    long fixedTtl = redis.pttl("tollgate:{c}:default:fixed:60");
    long tokenTtl = redis.pttl("tollgate:{c}:default:token-bucket:60");
    long rollingTtl = redis.pttl("tollgate:{c}:default:rolling:3600:150");
    // Fixed: the rest of the window (50 s). Token bucket: a window after its last change (60 s).
    // Rolling: until the used 150 s bucket [0 s, 150 s) has left the hour (150 s + 1 h - 10 s).
    assertTtl(50_000, fixedTtl);
    assertTtl(60_000, tokenTtl);
    assertTtl(3_600_000 + 140_000, rollingTtl);
  }

  @Test
  void aFixedWindowsCountWrittenInPlaceKeepsTheExpiryOfItsWindow() {
    // The first call in a window writes the state with its expiry; later ones in the same window
    // write only the count (SETRANGE), for the short and the long form alike.
    Limit minute = Limit.parse("5/1m");
    Limit twoLimits = Limit.parse("100/1h rolling");
    time.set(T0 + 10_000);
    acquire("short", minute);
    acquire("long", minute, twoLimits);
    time.set(T0 + 20_000);
    assertEquals(3, acquire("short", minute).usages().get(0).remaining());
    assertEquals(3, acquire("long", minute, twoLimits).usages().get(0).remaining());
    // Set at T0 + 10 s for the window's end at T0 + 60 s, and kept (the fake clock moved, Redis'
    // did not): never dropped, which would keep the key forever.
    assertTtl(50_000, redis.pttl("tollgate:{short}:default:fixed:60"));
    assertTtl(50_000, redis.pttl("tollgate:{long}:default:fixed:60"));
  }

  @Test
  void aWindowReBasedAfterTheClockWentBackIsWrittenWholeWithItsNewExpiry() {
    Limit minute = Limit.parse("5/1m");
    Limit twoLimits = Limit.parse("100/1h rolling");
    time.set(T0 + 30_000);
    acquire("short", minute);
    acquire("long", minute, twoLimits);
    time.set(T0 - 10_000); // back into the window before: re-based there, the count kept
    assertEquals(3, acquire("short", minute).usages().get(0).remaining());
    assertEquals(3, acquire("long", minute, twoLimits).usages().get(0).remaining());
    // The re-based window ends at T0: 10 s, not the 30 s left of the window first written.
    assertTtl(10_000, redis.pttl("tollgate:{short}:default:fixed:60"));
    assertTtl(10_000, redis.pttl("tollgate:{long}:default:fixed:60"));
  }

  @Test
  void aKeyIsGoneFromRedisOnceItsWindowHasEnded() throws InterruptedException {
    time.set(T0 + MINUTE - 20); // 20 ms before the window ends, so Redis expires the key quickly
    acquire("c", Limit.parse("5/1m"));
    String key = "tollgate:{c}:default:fixed:60";
    assertTrue(redis.pttl(key) <= 20);
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (redis.exists(key) == 1 && System.nanoTime() < deadline) {
      Thread.sleep(5); // Redis' own expiry, on Redis' clock: nothing to fake
    }
    assertEquals(0, redis.exists(key));
  }

  @Test
  void aPeekWritesNothingAndAnUnusedStateLeavesNoKey() {
    AcquireResult peek =
        store.acquire(
            new AcquireRequest(
                List.of(
                    new Bucket(
                        "default",
                        "c",
                        List.of(
                            Limit.parse("5/1m"),
                            Limit.parse("5/1m token-bucket"),
                            Limit.parse("5/1h rolling")),
                        false)),
                0));
    assertTrue(peek.admitted());
    assertEquals(List.of(5L, 5L, 5L), remaining(peek));
    assertEquals(0, redis.dbsize());
  }

  @Test
  void decidesOnTheRedisClockWithWindowsAlignedToItsEpoch() {
    try (RedisStore real = RedisStore.builder(server.uri()).build()) {
      List<String> before = redis.time();
      AcquireResult r =
          real.acquire(
              new AcquireRequest(
                  List.of(
                      new Bucket("default", "redis-clock", List.of(Limit.parse("2/1s")), false)),
                  1));
      List<String> after = redis.time();
      assertTrue(
          r.nowMillis() >= millis(before) && r.nowMillis() <= millis(after),
          r.nowMillis() + " is Redis' TIME");
      // The window is [second boundary, next second boundary) on Redis' clock.
      LimitUsage u = r.usages().get(0);
      assertEquals(0, (r.nowMillis() + u.resetMillis()) % 1000);
      assertTrue(u.resetMillis() >= 1 && u.resetMillis() <= 1000);
    }
  }

  @Test
  void reloadsTheScriptWhenRedisHasForgottenIt() {
    Limit limit = Limit.parse("3/1m");
    assertTrue(acquire("c", limit).admitted());
    redis.scriptFlush();
    assertEquals(1, acquire("c", limit).usages().get(0).remaining());
    assertTrue(redis.scriptExists(AcquireScript.SHA1).get(0));
  }

  @Test
  void memoryPerClientIsSmall() {
    // The default rule of the README example: 100/1m plus 10000/24h rolling, used every hour.
    Limit minute = Limit.parse("100/1m");
    Limit day = Limit.parse("10000/24h rolling");
    Limit token = Limit.parse("20/1s token-bucket");
    for (int h = 0; h < 25; h++) {
      acquire("ip:203.0.113.7", minute, day, token);
      time.addAndGet(3_600_000);
    }
    long fixed = redis.memoryUsage("tollgate:{ip:203.0.113.7}:default:fixed:60");
    long rolling = redis.memoryUsage("tollgate:{ip:203.0.113.7}:default:rolling:86400:3600");
    long tokenBytes = redis.memoryUsage("tollgate:{ip:203.0.113.7}:default:token-bucket:1");
    System.out.printf(
        "MEMORY USAGE (Redis %s): fixed %d B, rolling 24h/1h full %d B, token bucket %d B%n",
        redis
            .info("server")
            .lines()
            .filter(l -> l.startsWith("redis_version:"))
            .findFirst()
            .orElse("?"),
        fixed,
        rolling,
        tokenBytes);
    assertTrue(fixed <= 160, "fixed window " + fixed);
    assertTrue(tokenBytes <= 160, "token bucket " + tokenBytes);
    assertTrue(rolling <= 512, "rolling window " + rolling);
  }

  private AcquireResult acquire(String client, Limit... limits) {
    return store.acquire(
        new AcquireRequest(List.of(new Bucket("default", client, List.of(limits), false)), 1));
  }

  private static List<Long> remaining(AcquireResult r) {
    List<Long> out = new ArrayList<>();
    for (LimitUsage u : r.usages()) {
      out.add(u.remaining());
    }
    return out;
  }

  private static List<Boolean> rejectedBy(AcquireResult r) {
    List<Boolean> out = new ArrayList<>();
    for (LimitUsage u : r.usages()) {
      out.add(u.rejected());
    }
    return out;
  }

  private static long millis(List<String> time) {
    return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
  }

  private static void assertTtl(long expected, long actual) {
    // PTTL counts down on Redis' real clock while the test runs.
    assertTrue(
        actual <= expected && actual > expected - 2_000,
        "TTL " + actual + " ms, expected about " + expected);
  }
}
