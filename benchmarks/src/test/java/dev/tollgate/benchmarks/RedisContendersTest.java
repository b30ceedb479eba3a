package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.WallClockWindows;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Smoke test of the Redis part on a private redis-server: the contenders do the same work, and the
 * harness measures what the report says it does. A few seconds; no benchmark is run.
 */
class RedisContendersTest {

  private static LocalRedis redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = LocalRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tollgate-redis", "bucket4j-redis", "tollgate-redis-every-call"})
  void eachRedisContenderAdmitsExactly100Of101CallsForOneKeyAndKeepsKeysApart(String name)
      throws InterruptedException {
    redis.flush();
    String[] keys = Keys.create(2);
    try (Contender c = RedisContenders.create(name, redis.uri(), keys)) {
      // Ours counts in minutes aligned to Redis' clock, the machine's (the contender is built as
      // the
      // benchmark builds it, with no clock to inject): start in a fresh minute, so that no minute
      // boundary falls inside the 202 calls and restarts the count.
      WallClockWindows.awaitFreshWindow(Duration.ofMinutes(1), Duration.ofSeconds(5));
      assertEquals(100, admitted(c, 0, 101), name + " for one key");
      assertEquals(100, admitted(c, 1, 101), name + " for another key, independent of the first");
    }
  }

  @Test
  void ourDecisionIsOneEvalshaRoundTripAndBucket4jsIsAGetAndAnEval() throws Exception {
    redis.flush();
    String[] keys = Keys.create(20);
    try (Contender ours = RedisContenders.create("tollgate-redis", redis.uri(), keys);
        Contender bucket4j = RedisContenders.create("bucket4j-redis", redis.uri(), keys)) {
      for (int k = 0; k < keys.length; k++) {
        ours.tryAcquire(k); // the script is cached and every key exists before counting
        bucket4j.tryAcquire(k);
      }
      LocalRedis.Monitored o =
          redis.monitor(
              () -> {
                for (int k = 0; k < keys.length; k++) {
                  ours.tryAcquire(k);
                }
              });
      assertEquals(Map.of("evalsha", 20L), o.fromClients());
      assertTrue(
          o.inScripts().getOrDefault("get", 0L) >= 20,
          "the script reads the state: " + o.inScripts());
      LocalRedis.Monitored b =
          redis.monitor(
              () -> {
                for (int k = 0; k < keys.length; k++) {
                  bucket4j.tryAcquire(k);
                }
              });
      // Admitted calls to known buckets: read, then compare-and-swap by script.
      assertEquals(Map.of("get", 20L, "eval", 20L), b.fromClients());
    }
  }

  @Test
  void commandStatsCountEveryCommandRedisRanScriptsIncludedButNotTheAdminConnection()
      throws Exception {
    redis.flush();
    try (Contender ours = RedisContenders.create("tollgate-redis", redis.uri(), Keys.create(1))) {
      ours.tryAcquire(0);
      redis.resetStats();
      for (int i = 0; i < 10; i++) {
        ours.tryAcquire(0);
      }
      Map<String, Long> calls = redis.commandCalls();
      assertEquals(10L, calls.get("evalsha"));
      assertEquals(10L, calls.get("get"));
      assertTrue(
          !calls.containsKey("config|resetstat") && !calls.containsKey("info"), calls.toString());
    }
  }

  @Test
  void harnessRecordsEveryMeasuredCallOfEveryCaller() throws Exception {
    try (Contender floor =
        RedisContenders.create(RedisContenders.LETTUCE_FLOOR, redis.uri(), Keys.create(1))) {
      RedisBenchmark.Point p =
          RedisBenchmark.run(
              floor, 3, new int[] {0, 0, 0}, Duration.ofMillis(100), Duration.ofMillis(300));
      assertTrue(
          p.perSecond() > 0 && p.p50Nanos() > 0 && p.p99Nanos() >= p.p50Nanos(), p.toString());
      assertEquals(1.0, p.admittedShare());
      assertEquals(0, p.errors());
      // Warm-up calls count towards calls but not towards the measured rate.
      assertTrue(p.calls() > p.perSecond() * 0.3, p.toString());
    }
  }

  @Test
  void aTenthOfTheDrawsGoToTheHotClientsAndTheRestSpreadOverTheTail() {
    int[] draws = RedisBenchmark.draws(100_000, 42);
    long hot = Arrays.stream(draws).filter(d -> d < RedisBenchmark.HOT_KEYS).count();
    assertTrue(hot > 9_000 && hot < 11_000, "hot draws: " + hot);
    assertTrue(
        Arrays.stream(draws)
            .allMatch(d -> d >= 0 && d < RedisBenchmark.HOT_KEYS + RedisBenchmark.TAIL_KEYS));
    assertTrue(
        Arrays.stream(draws).filter(d -> d >= RedisBenchmark.HOT_KEYS).distinct().count() > 9_900);
  }

  private static int admitted(Contender c, int key, int calls) {
    int n = 0;
    for (int i = 0; i < calls; i++) {
      if (c.tryAcquire(key)) {
        n++;
      }
    }
    return n;
  }
}
