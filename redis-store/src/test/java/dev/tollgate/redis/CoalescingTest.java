package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One store (one connection) hammered from 32 threads with coalescing on: the decisions go in
 * batches, fewer script calls than decisions, and together they admit exactly each client's quota.
 * The script decides at one fixed instant, so no window ends during the test.
 */
class CoalescingTest {

  private static final int THREADS = 32;
  private static final int CALLS_PER_THREAD = 100;
  private static final long INSTANT = 1_700_000_000_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  @BeforeEach
  void fresh() {
    redis.flushall();
  }

  @Test
  void manyThreadsOnOneClientAdmitExactlyTheQuotaInBatches() throws Exception {
    assertExactQuotasInBatches(1, Limit.parse("1000/1h"));
  }

  @Test
  void manyThreadsOnSeveralClientsAdmitExactlyEachQuotaInBatches() throws Exception {
    assertExactQuotasInBatches(5, Limit.parse("300/1m"));
  }

  @Test
  void withCoalescingOffEveryDecisionIsACallOfItsOwn() throws Exception {
    Limit limit = Limit.parse("1000/1h");
    try (RedisStore store = store().localRejections(0).coalesce(false).build()) {
      store.acquire(request("warm-up", limit, 1)); // loads the script
      redis.configResetstat();
      int[] admitted = hammer(store, 1, limit);
      assertEquals(1000, admitted[0]);
      assertEquals(
          (long) THREADS * CALLS_PER_THREAD, RedisCommandCountTest.commands(redis).get("evalsha"));
    }
  }

  private static void assertExactQuotasInBatches(int clients, Limit limit) throws Exception {
    // Every decision reaches Redis: nothing answered from the remembered rejections.
    try (RedisStore store = store().localRejections(0).build()) {
      store.acquire(request("warm-up", limit, 1)); // loads the script
      redis.configResetstat();
      int[] admitted = hammer(store, clients, limit);
      for (int c = 0; c < clients; c++) {
        assertEquals(limit.quota(), admitted[c], "client " + c);
        assertEquals(0, store.acquire(request("c" + c, limit, 0)).usages().get(0).remaining());
      }
      Map<String, Long> commands = RedisCommandCountTest.commands(redis);
      long decisions = (long) THREADS * CALLS_PER_THREAD + clients; // the reports above too
      long calls = commands.get("evalsha");
      assertTrue(calls < decisions, calls + " script calls for " + decisions + " decisions");
      // One GET per decision, whichever call decided it.
      assertEquals(decisions, commands.get("get"));
    }
  }

  private static RedisStore.Builder store() {
    // Generous timeout: this test is about atomicity, not latency, on a busy build machine.
    return RedisStore.builder(server.uri())
        .timeout(Duration.ofSeconds(5))
        .scriptClock(() -> INSTANT);
  }

  private static AcquireRequest request(String client, Limit limit, int cost) {
    return new AcquireRequest(List.of(new Bucket("default", client, List.of(limit), false)), cost);
  }

  /** Each thread calls for the clients in turn; how many each client had admitted. */
  private static int[] hammer(RedisStore store, int clients, Limit limit) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicIntegerArray admitted = new AtomicIntegerArray(clients);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int first = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < CALLS_PER_THREAD; i++) {
                    int c = (first + i) % clients;
                    if (store.acquire(request("c" + c, limit, 1)).admitted()) {
                      admitted.incrementAndGet(c);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      int[] out = new int[clients];
      for (int c = 0; c < clients; c++) {
        out[c] = admitted.get(c);
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
