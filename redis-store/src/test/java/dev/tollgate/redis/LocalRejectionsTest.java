package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The local "rejected until" answers against a real redis-server, on an injected clock (passed to
 * the script in place of {@code TIME}, and the store's local clock too): no Redis command while a
 * client is known to be rejected, the same answers as the in-memory store all the same, a {@code
 * count-rejected} rule still counted at every call, and bounded memory.
 */
class LocalRejectionsTest {

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

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
  void anExhaustedClientIsRejectedWithoutRedisUntilItsWindowEndsWithTheSameAnswersAsInMemory() {
    AcquireRequest request =
        request("c", false, Limit.parse("5/1m"), Limit.parse("100/1h rolling"));
    time.set(T0 + 10_000);
    for (int i = 0; i < 6; i++) {
      compare(request);
    }
    redis.configResetstat();
    // 50 s to the end of the minute: every answer is local, and exactly Redis' (= memory's) answer.
    for (int i = 0; i < 49; i++) {
      time.addAndGet(1_000);
      assertFalse(compare(request).admitted());
    }
    time.addAndGet(999);
    assertFalse(compare(request).admitted());
    assertEquals(Map.of(), RedisCommandCountTest.commands(redis), "no command while rejected");
    assertEquals(50, store.localRejectionCount());
    time.addAndGet(1); // the minute ends: Redis decides again
    assertTrue(compare(request).admitted());
    assertEquals(1L, RedisCommandCountTest.commands(redis).get("evalsha"));
  }

  @Test
  void decidesExactlyAsTheInMemoryStoreOverRandomTrafficAnsweringManyRejectionsLocally() {
    Limit fixed = Limit.parse("10/1m");
    Limit daily = Limit.parse("100/24h rolling");
    Limit token = Limit.parse("7/1m token-bucket");
    Limit rolling = Limit.parse("20/1m rolling");
    Limit odd = Limit.parse("3/7s token-bucket as odd");
    Random random = new Random(11);
    int rejected = 0;
    for (int step = 0; step < 3000; step++) {
      String client = "ip:10.0.0." + random.nextInt(3);
      List<Bucket> buckets = new ArrayList<>();
      buckets.add(new Bucket("default", client, List.of(fixed, daily, token), false));
      if (random.nextBoolean()) {
        buckets.add(new Bucket("reports", client, List.of(rolling, odd), random.nextInt(4) == 0));
      }
      if (!compare(new AcquireRequest(buckets, random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(2)))
          .admitted()) {
        rejected++;
      }
      int r = random.nextInt(100);
      // Forward only: RedisStoreTest covers jumps back (with local rejections on, the default).
      time.addAndGet(
          r < 85
              ? random.nextInt(1_500)
              : r < 98 ? random.nextInt(60_000) : random.nextInt(30) * 3_600_000L);
    }
    assertTrue(
        store.localRejectionCount() >= 50,
        store.localRejectionCount() + " of " + rejected + " rejections answered locally");
  }

  @Test
  void anotherRequestOfTheSameClientThroughThisServerDropsWhatWasKnown() {
    Limit minute = Limit.parse("10/1m");
    Limit reports = Limit.parse("1/1m as reports");
    Bucket defaults = new Bucket("default", "c", List.of(minute), false);
    AcquireRequest both =
        new AcquireRequest(
            List.of(defaults, new Bucket("reports", "c", List.of(reports), false)), 1);
    AcquireRequest plain = new AcquireRequest(List.of(defaults), 1);
    compare(both);
    assertFalse(compare(both).admitted()); // rejected by reports, 9 left by the minute
    assertTrue(compare(plain).admitted()); // uses one of the minute's, through Redis
    AcquireResult again = compare(both); // not the remembered 9: Redis' 8
    assertEquals(8, again.usages().get(0).remaining());
    assertEquals(0, store.localRejectionCount());
  }

  @Test
  void aCountRejectedRuleReachesRedisAtEveryCallSoEachRejectionIsCounted() {
    // A client that keeps calling while rejected keeps itself rejected: every call must be counted.
    AcquireRequest request = request("c", true, Limit.parse("3/1m token-bucket"));
    for (int i = 0; i < 3; i++) {
      compare(request);
    }
    redis.configResetstat();
    for (int i = 0; i < 10; i++) {
      time.addAndGet(5_000);
      compare(request);
    }
    assertEquals(10L, RedisCommandCountTest.commands(redis).get("evalsha"));
    assertEquals(0, store.localRejectionCount());
  }

  @Test
  void theClockGoingBackAsksRedisAgain() {
    AcquireRequest request = request("c", false, Limit.parse("1/1m"));
    time.set(T0 + 30_000);
    compare(request);
    compare(request);
    time.set(T0 + 20_000);
    redis.configResetstat();
    compare(request);
    assertEquals(1L, RedisCommandCountTest.commands(redis).get("evalsha"));
  }

  @Test
  void aFloodOfRejectedClientsKeepsAtMostTheConfiguredNumber() {
    try (RedisStore small =
        RedisStore.builder(server.uri()).scriptClock(time::get).localRejections(100).build()) {
      Limit limit = Limit.parse("1/1h");
      for (int i = 0; i < 1_000; i++) {
        AcquireRequest r = request("flood-" + i, false, limit);
        small.acquire(r);
        assertFalse(small.acquire(r).admitted());
      }
      assertTrue(small.rejectionsRemembered() <= 100, small.rejectionsRemembered() + " remembered");
      assertTrue(small.rejectionsRemembered() > 0);
    }
    try (RedisStore none =
        RedisStore.builder(server.uri()).scriptClock(time::get).localRejections(0).build()) {
      AcquireRequest r = request("c0", false, Limit.parse("1/1h"));
      none.acquire(r);
      none.acquire(r);
      none.acquire(r);
      assertEquals(0, none.localRejectionCount());
    }
  }

  private AcquireResult compare(AcquireRequest request) {
    AcquireResult expected = memory.acquire(request);
    AcquireResult actual = store.acquire(request);
    assertEquals(expected, actual, "at " + time.get() + " for " + request);
    return actual;
  }

  private static AcquireRequest request(String client, boolean countRejected, Limit... limits) {
    return new AcquireRequest(
        List.of(new Bucket("default", client, List.of(limits), countRejected)), 1);
  }
}
