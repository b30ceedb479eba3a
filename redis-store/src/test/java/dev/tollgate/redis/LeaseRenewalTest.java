package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
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
  void aRenewalGetsWhatTheQuotaStillHasAndGivesTheRestBack() {
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
    assertEquals(100, count(), "the count is the quota, not the quota and the 6 not granted");
    assertEquals(Map.of("bitfield", 2L), commands, "one to take, one to give");
    int admitted = 1;
    for (int i = 0; i < 10; i++) {
      admitted += leasing.acquire(request).admitted() ? 1 : 0;
    }
    assertEquals(3, admitted - 1, "the lease's other 3, then rejections");
    assertFalse(exact.acquire(request).admitted());
    assertEquals(100, count());
  }

  @Test
  void aStateOfALaterWindowIsLeftAsItWasAndTheScriptDecides() {
    assertTrue(leasing.acquire(request).admitted());
    // Redis' clock is a window ahead of the one the lease was taken in: its state already counts 5
    // requests of the next window (the script keeps a later start, as after a backwards jump).
    redis.bitfield(key(), BitFieldArgs.Builder.set(I64, 0, T0 + 60_000).set(I64, 64, 5));
    time.addAndGet(1);
    redis.configResetstat();

    AcquireResult result = leasing.acquire(request);

    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertTrue(result.admitted());
    // The script kept the 5 (a later start is kept, as after a backwards jump) and took a lease of
    // 10 on top of them, not on top of the 10 the renewal added and gave back.
    assertEquals(15, count());
    assertEquals(100 - 15 + 9, result.usages().get(0).remaining());
    assertEquals(T0, windowStart(), "re-based on the script's window");
    assertEquals(2L, commands.get("bitfield"), commands.toString());
    assertEquals(1L, commands.get("evalsha"), commands.toString());
  }

  @Test
  void aStateGoneFromRedisIsNotLeftWithoutAnExpiry() {
    assertTrue(leasing.acquire(request).admitted());
    redis.del(key()); // evicted, or flushed
    time.addAndGet(1);
    redis.configResetstat();

    AcquireResult result = leasing.acquire(request);

    assertTrue(result.admitted());
    Map<String, Long> commands = RedisCommandCountTest.commands(redis);
    assertEquals(1L, commands.get("pexpire"), commands.toString());
    assertEquals(1L, commands.get("evalsha"), commands.toString());
    assertEquals(T0, windowStart(), "the script's own state of the window");
    assertEquals(10, count(), "the script's lease alone");
    long ttl = redis.pttl(key());
    assertTrue(ttl > 0 && ttl <= 50_000, "expires with its window: " + ttl);
  }

  @Test
  void aTextStateOfAnEarlierVersionIsReadAndRewrittenInTheBinaryForm() {
    // The script's short form (one fixed window) and its long form (here two fixed windows).
    AcquireRequest two =
        new AcquireRequest(
            List.of(
                new Bucket(
                    "two", "busy", List.of(Limit.parse("100/1m"), Limit.parse("1000/1h")), false)),
            1);
    for (AcquireRequest r : List.of(request, two)) {
      redis.flushall();
      assertTrue(exact.acquire(r).admitted());
      for (String key : redis.keys("*")) {
        redis.set(key, T0 + ":7"); // as versions before the binary form wrote it
      }

      AcquireResult result = exact.acquire(r);

      assertEquals(100 - 8, result.usages().get(0).remaining(), r.toString());
      for (String key : redis.keys("*")) {
        assertEquals(16, redis.strlen(key), key);
        assertEquals(8, redis.bitfield(key, BitFieldArgs.Builder.get(I64, 64)).get(0), key);
      }
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
