package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two store instances (two application servers, each with its own connection) share one Redis and
 * are hammered from many threads at once: together they admit exactly the quota.
 */
class RedisStoreConcurrencyTest {

  private static final int THREADS_PER_STORE = 8;
  private static final int CALLS_PER_THREAD = 150;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();

  @Test
  void twoServersSharingRedisAdmitExactlyTheQuotaInTotalOnRedisClock() throws Exception {
    // A rolling day admits at most the quota in any 24 h, so the total is exact whatever the
    // Redis clock does while the test runs.
    Limit daily = Limit.parse("1000/24h rolling");
    try (RedisStore a = store().build();
        RedisStore b = store().build()) {
      AcquireRequest request =
          new AcquireRequest(List.of(new Bucket("default", "shared", List.of(daily), false)), 1);
      int admitted = hammer(a, b, request);
      assertEquals(1000, admitted);
      assertEquals(
          0, a.acquire(new AcquireRequest(request.buckets(), 0)).usages().get(0).remaining());
    }
  }

  @Test
  void twoServersNeverBothTakeTheLastPermitOfAnyLimitOfAMultiLimitRequest() throws Exception {
    Limit hour = Limit.parse("300/1h");
    Limit burst = Limit.parse("120/1m token-bucket as burst");
    Limit endpoint = Limit.parse("200/1h rolling");
    // Both servers decide at one fixed instant, so the token bucket cannot refill meanwhile.
    long instant = 1_700_000_000_000L;
    try (RedisStore a = store().scriptClock(() -> instant).build();
        RedisStore b = store().scriptClock(() -> instant).build()) {
      AcquireRequest request =
          new AcquireRequest(
              List.of(
                  new Bucket("default", "multi", List.of(hour, burst), false),
                  new Bucket("reports", "multi", List.of(endpoint), false)),
              1);
      int admitted = hammer(a, b, request);
      assertEquals(120, admitted);
      // The 2,280 rejected calls took nothing from the limits that would have admitted them.
      AcquireResult after = a.acquire(new AcquireRequest(request.buckets(), 0));
      assertEquals(300 - 120, after.usages().get(0).remaining());
      assertEquals(0, after.usages().get(1).remaining());
      assertEquals(200 - 120, after.usages().get(2).remaining());
    }
  }

  private static RedisStore.Builder store() {
    // Generous timeout: this test is about atomicity, not latency, on a busy build machine.
    return RedisStore.builder(server.uri()).timeout(Duration.ofSeconds(5));
  }

  private static int hammer(RedisStore a, RedisStore b, AcquireRequest request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_STORE);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger admitted = new AtomicInteger();
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < 2 * THREADS_PER_STORE; t++) {
        RedisStore store = t % 2 == 0 ? a : b;
        tasks.add(
            () -> {
              start.await();
              for (int i = 0; i < CALLS_PER_THREAD; i++) {
                if (store.acquire(request).admitted()) {
                  admitted.incrementAndGet();
                }
              }
              return null;
            });
      }
      List<Future<Void>> futures = new ArrayList<>();
      for (Callable<Void> task : tasks) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get();
      }
      return admitted.get();
    } finally {
      pool.shutdownNow();
    }
  }
}
