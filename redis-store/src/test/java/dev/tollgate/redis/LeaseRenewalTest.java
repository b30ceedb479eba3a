package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lease of one fixed window renewed with one {@code BITFIELD} ({@link Decider#renew}), against a
 * real redis-server on an injected clock: what it may take when another server used the quota
 * meanwhile, and what it does when the state in Redis is not of its window; and the state layout
 * the renewal relies on.
 */
class LeaseRenewalTest {

  /** A minute boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  private static final BitFieldArgs.BitFieldType I64 = BitFieldArgs.signed(64);

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  private final AtomicLong time = new AtomicLong(T0 + 10_000);
  private final AcquireRequest request =
      new AcquireRequest(
          List.of(new Bucket("default", "busy", List.of(Limit.parse("100/1m")), false)), 1);

  /** Leases 10; the server whose lease is renewed. */
  private RedisStore leasing;

  /** No lease: exact, one script call per decision. */
  private RedisStore exact;

  @BeforeEach
  void startServers() {
    redis.flushall();
    leasing = RedisStore.builder(server.uri()).scriptClock(time::get).lease(10).build();
    exact = RedisStore.builder(server.uri()).scriptClock(time::get).localRejections(0).build();
  }

  @AfterEach
  void stopServers() {
    leasing.close();
    exact.close();
  }

  @Test
  void aRenewalGetsWhatTheQuotaStillHasAndNoMore() {
    assertTrue(leasing.acquire(request).admitted()); // the script: 1 taken, 99 left as it knows
    for (int i = 0; i < 95; i++) {
      assertTrue(exact.acquire(request).admitted()); // meanwhile another server takes 95: 4 left
    }
    time.addAndGet(1);
    redis.configResetstat();

    // Asks for 10 (half of the 99 it knows of, up to the lease), gets the 4 there are.
    AcquireResult renewed = leasing.acquire(request);

    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertTrue(renewed.admitted());
    assertEquals(3, renewed.usages().get(0).remaining(), "the 3 it holds are still the client's");
    assertEquals(Map.of("bitfield", 1L), commands);
    int admitted = 1;
    for (int i = 0; i < 10; i++) {
      admitted += leasing.acquire(request).admitted() ? 1 : 0;
    }
    assertEquals(4, admitted, "the lease's 4, then rejections: 100 in all");
    assertFalse(exact.acquire(request).admitted());
    // The 6 it could not have stay counted (never subtracted: see Decider.renew); the quota was
    // used up by then, so they take nothing from anybody.
    assertEquals(106, count());
  }

  @Test
  void aStateOfALaterWindowSendsTheRequestToTheScript() {
    assertTrue(leasing.acquire(request).admitted());
    // Redis' clock is a window ahead of the one the lease was taken in: its state already counts 5
    // requests of the next window (the script keeps a later start, as after a backwards jump).
    redis.bitfield(key(), BitFieldArgs.Builder.set(I64, 0, T0 + 60_000).set(I64, 64, 5));
    time.addAndGet(1);
    redis.configResetstat();

    AcquireResult result = leasing.acquire(request);

    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertTrue(result.admitted());
    // The renewal's 10 count in that window (toward rejecting); the script took a lease of 10 on
    // top, as it saw them, and its answer says so.
    assertEquals(25, count());
    assertEquals(100 - 25 + 9, result.usages().get(0).remaining());
    assertEquals(T0, windowStart(), "re-based on the script's window");
    assertEquals(1L, commands.get("bitfield"), commands.toString());
    assertEquals(1L, commands.get("evalsha"), commands.toString());
  }

  @Test
  void aStateGoneFromRedisIsRewrittenByTheScriptWithItsExpiry() {
    assertTrue(leasing.acquire(request).admitted());
    redis.del(key()); // evicted, or flushed
    time.addAndGet(1);
    redis.configResetstat();

    AcquireResult result = leasing.acquire(request);

    assertTrue(result.admitted());
    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertEquals(1L, commands.get("bitfield"), commands.toString());
    assertEquals(1L, commands.get("evalsha"), commands.toString());
    assertEquals(T0, windowStart(), "the script's own state of the window");
    assertEquals(10, count(), "the script's lease alone: the renewal's made-up state was ignored");
    long ttl = redis.pttl(key());
    assertTrue(ttl > 0 && ttl <= 50_000, "expires with its window: " + ttl);
  }

  @Test
  void noRenewalInTheLastFiftyMillisecondsOfAWindow() {
    time.set(T0 + 60_000 - 60); // 60 ms before the window ends
    assertTrue(leasing.acquire(request).admitted());
    time.addAndGet(5); // 55 ms left: renewed
    assertTrue(leasing.acquire(request).admitted());
    redis.configResetstat();
    for (int i = 0; i < 9; i++) {
      assertTrue(leasing.acquire(request).admitted()); // spends the renewed lease's other 9
    }
    time.addAndGet(10); // 45 ms left: the script decides
    assertTrue(leasing.acquire(request).admitted());

    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertEquals(1L, commands.get("evalsha"), commands.toString());
    assertNull(commands.get("bitfield"), commands.toString());
  }

  @Test
  void aScriptCallReadsRedisClockAtLeastOnceAMinuteOnALongWindow() {
    AcquireRequest daily =
        new AcquireRequest(
            List.of(new Bucket("default", "busy", List.of(Limit.parse("1000000/1d")), false)), 1);
    time.set(T0 + 1_000);
    redis.configResetstat();
    int decisions = 0;
    while (time.get() < T0 + 1_000 + 90_000) {
      assertTrue(leasing.acquire(daily).admitted());
      decisions++;
      time.addAndGet(10);
    }
    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    // The first call, and one 60 s after it; one BITFIELD per lease of 10 in between.
    assertEquals(2L, commands.get("evalsha"), commands.toString());
    assertTrue(commands.get("bitfield") <= decisions / 10, commands.toString());
  }

  @Test
  void withoutBitfieldInItsAclTheStoreLeasesThroughTheScript() {
    redis.aclSetuser(
        "nobitfield",
        AclSetuserArgs.Builder.on()
            .addPassword("pw")
            .allKeys()
            .allCommands()
            .removeCommand(io.lettuce.core.protocol.CommandType.BITFIELD));
    String uri = server.uri().replace("redis://", "redis://nobitfield:pw@");
    InMemoryStore memory = InMemoryStore.create(10, time::get);
    try (RedisStore limited = RedisStore.builder(uri).scriptClock(time::get).lease(10).build()) {
      for (int i = 0; i < 130; i++) {
        assertEquals(memory.acquire(request), limited.acquire(request), "call " + i);
        time.addAndGet(7);
      }
      assertTrue(limited.leasedAdmissionCount() > 50, "leased " + limited.leasedAdmissionCount());
    } finally {
      redis.aclDeluser("nobitfield");
    }
  }

  @Test
  void aTextStateOfAnEarlierVersionIsReadAndRewrittenInTheBinaryForm() {
    for (AcquireRequest r : shortAndLongForm()) {
      writeTextState(r, T0 + ":7");

      AcquireResult result = exact.acquire(r);

      assertEquals(100 - 8, result.usages().get(0).remaining(), r.toString());
      for (String key : redis.keys("*")) {
        assertEquals(16, redis.strlen(key), key);
        assertEquals(8, redis.bitfield(key, BitFieldArgs.Builder.get(I64, 64)).get(0), key);
      }
    }
  }

  @Test
  void aSixteenByteTextStateOfTheCurrentWindowIsNotOverwrittenInPlace() {
    for (AcquireRequest r : shortAndLongForm()) {
      writeTextState(r, T0 + ":17"); // 16 bytes, as long as the binary form, but text
      assertEquals(100 - 18, exact.acquire(r).usages().get(0).remaining(), r.toString());
      assertEquals(100 - 19, exact.acquire(r).usages().get(0).remaining(), r.toString());
      for (String key : redis.keys("*")) {
        assertEquals(T0, redis.bitfield(key, BitFieldArgs.Builder.get(I64, 0)).get(0), key);
        assertEquals(19, redis.bitfield(key, BitFieldArgs.Builder.get(I64, 64)).get(0), key);
        assertTrue(redis.pttl(key) > 0, key);
      }
    }
  }

  /** The script's short form (one fixed window) and its long form (here two fixed windows). */
  private List<AcquireRequest> shortAndLongForm() {
    AcquireRequest two =
        new AcquireRequest(
            List.of(
                new Bucket(
                    "two", "busy", List.of(Limit.parse("100/1m"), Limit.parse("1000/1h")), false)),
            1);
    return List.of(request, two);
  }

  /**
   * Starts {@code r}'s keys afresh with one admitted call, then overwrites each with {@code text},
   * as versions before the binary form wrote a fixed window's state.
   */
  private void writeTextState(AcquireRequest r, String text) {
    redis.flushall();
    assertTrue(exact.acquire(r).admitted());
    for (String key : redis.keys("*")) {
      redis.set(key, text);
    }
  }

  private String key() {
    List<String> keys = redis.keys("*");
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }

  private long windowStart() {
    return redis.bitfield(key(), BitFieldArgs.Builder.get(I64, 0)).get(0);
  }

  private long count() {
    return redis.bitfield(key(), BitFieldArgs.Builder.get(I64, 64)).get(0);
  }
}
