package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How many commands Redis runs per decision, counted by the real redis-server ({@code INFO
 * commandstats}, failed calls included): the commands inside the script are what Redis spends its
 * one thread on, so each one saved is Redis CPU saved. The store decides on Redis' own clock here,
 * so {@code TIME} is counted too.
 */
class RedisCommandCountTest {

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  private RedisStore store;

  @BeforeEach
  void fresh() {
    redis.flushall();
    store = RedisStore.builder(server.uri()).build();
    store.acquire(request("warm-up", 1, Limit.parse("5/1m"))); // loads the script
    redis.configResetstat();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void oneFixedWindowCostsEvalshaTimeGetAndAWriteWhenAdmittedAndNoWriteWhenRejected() {
    Limit limit = Limit.parse("3/24h"); // no window boundary between the calls (Redis' own clock)
    for (int i = 0; i < 3; i++) {
      assertTrue(store.acquire(request("c", 1, limit)).admitted());
    }
    // The window's state is SET with its expiry once; later calls in the window write its count in
    // place (SETRANGE), which keeps that expiry.
    assertEquals(
        Map.of("evalsha", 3L, "time", 3L, "get", 3L, "set", 1L, "setrange", 2L), commands());
    redis.configResetstat();
    assertFalse(store.acquire(request("c", 1, limit)).admitted());
    assertEquals(Map.of("evalsha", 1L, "time", 1L, "get", 1L), commands());
  }

  @Test
  void aMinuteAndARollingDayCostSixCommandsPerDecisionOnceTheHourIsUsed() {
    // The README's default rule. Per decision: EVALSHA, TIME, GET + SET (minute), HGETALL + HSET
    // (day). The key's expiry is set only when the newest used bucket changes, and the bucket's
    // number and count go in one HSET (before: HSET, HINCRBY and PEXPIRE, 7 commands).
    Limit minute = Limit.parse("100/1m");
    Limit day = Limit.parse("10000/24h rolling");
    store.acquire(request("c", 1, minute, day));
    redis.configResetstat();
    int decisions = 20;
    for (int i = 0; i < decisions; i++) {
      assertTrue(store.acquire(request("c", 1, minute, day)).admitted());
    }
    Map<String, Long> commands = withinOneMinuteBoundary(commands());
    // A new hour (1 h precision) during the test would add one PEXPIRE: allow for it.
    commands.computeIfPresent("pexpire", (k, v) -> v <= 1 ? null : v);
    assertEquals(
        Map.of(
            "evalsha", 20L, "time", 20L, "get", 20L, "setrange", 20L, "hgetall", 20L, "hset", 20L),
        commands);
    assertEquals(6.0, total(commands) / (double) decisions);
  }

  @Test
  void afterScriptFlushTheScriptIsSentAgainOnceThenEvalshaAlone() {
    Limit limit = Limit.parse("100/1m");
    redis.scriptFlush();
    redis.configResetstat();
    assertTrue(store.acquire(request("c", 1, limit)).admitted());
    // The EVALSHA that answered NOSCRIPT, then EVAL with the source.
    assertEquals(Map.of("evalsha", 1L, "eval", 1L, "time", 1L, "get", 1L, "set", 1L), commands());
    redis.configResetstat();
    for (int i = 0; i < 5; i++) {
      assertTrue(store.acquire(request("c", 1, limit)).admitted());
    }
    assertEquals(
        Map.of("evalsha", 5L, "time", 5L, "get", 5L, "setrange", 5L),
        withinOneMinuteBoundary(commands()));
  }

  /**
   * {@code commands} as if no minute had begun during the test: a new minute's first call writes
   * that window's state whole (SET with its expiry) instead of its count (SETRANGE), once.
   */
  private static Map<String, Long> withinOneMinuteBoundary(Map<String, Long> commands) {
    Long newWindow = commands.remove("set");
    assertTrue(newWindow == null || newWindow == 1, commands + ", set=" + newWindow);
    if (newWindow != null) {
      commands.merge("setrange", newWindow, Long::sum);
    }
    return commands;
  }

  private static AcquireRequest request(String client, int cost, Limit... limits) {
    return new AcquireRequest(List.of(new Bucket("default", client, List.of(limits), false)), cost);
  }

  /**
   * Commands run since the last CONFIG RESETSTAT (calls that ran, failed ones included, and calls
   * rejected before running), without the admin's own.
   */
  static Map<String, Long> commands() {
    return commands(redis);
  }

  /** The same for another test's server. */
  static Map<String, Long> commands(RedisCommands<String, String> redis) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String command = line.substring("cmdstat_".length(), line.indexOf(':'));
      if (command.equals("info") || command.equals("config|resetstat")) {
        continue;
      }
      long n = 0;
      for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
        String[] kv = field.split("=");
        // calls include the failed ones (e.g. NOSCRIPT); rejected calls never ran.
        if (kv[0].equals("calls") || kv[0].equals("rejected_calls")) {
          n += Long.parseLong(kv[1]);
        }
      }
      if (n > 0) {
        out.put(command, n);
      }
    }
    return out;
  }

  private static long total(Map<String, Long> commands) {
    return commands.values().stream().mapToLong(Long::longValue).sum();
  }
}
