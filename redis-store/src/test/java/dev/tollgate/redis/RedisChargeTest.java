package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.CostClock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.TestRequest;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.TollgateMetrics;
import dev.tollgate.core.Verdict;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Charges after the response against a real redis-server: the same outcomes as the in-memory store
 * for every algorithm, overdraw and refunds, through the engine; and Redis down when a charge is
 * sent: the charge is lost, logged and counted, and never delays or fails the response.
 */
class RedisChargeTest {

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  private RedisServer server;
  private RedisStore store;
  private final AtomicLong time = new AtomicLong(T0 + 10_000);
  private final InMemoryStore memory = InMemoryStore.create(1000, time::get);

  @BeforeEach
  void start() {
    server = RedisServer.start();
    store =
        RedisStore.builder(server.uri())
            .timeout(Duration.ofSeconds(2))
            .scriptClock(time::get)
            .build();
  }

  @AfterEach
  void stop() {
    store.close();
    server.close();
  }

  @Test
  void chargesAndRefundsExactlyAsTheInMemoryStore() throws Exception {
    Random random = new Random(15);
    List<Limit> costs =
        List.of(
            Limit.parse("30s/1m time"),
            Limit.parse("20s/1m cpu rolling(10s)"),
            Limit.parse("64KB/1m bytes token-bucket"));
    List<Limit> counts =
        List.of(
            Limit.parse("20/1m"),
            Limit.parse("50/10m rolling(1m) as ten"),
            Limit.parse("7/1m token-bucket as burst"));
    int[] outcomes = new int[2];
    for (int step = 0; step < 1500; step++) {
      String client = "ip:10.0.0." + random.nextInt(3);
      List<Bucket> buckets =
          List.of(
              new Bucket("default", client, costs, false),
              new Bucket("tries", client, counts, false, random.nextBoolean()));
      AcquireRequest request = new AcquireRequest(buckets, 1);
      AcquireResult expected = memory.acquire(request);
      AcquireResult actual = store.acquire(request);
      assertEquals(expected, actual, "step " + step);
      outcomes[expected.admitted() ? 0 : 1]++;
      long admittedAt = expected.nowMillis();
      time.addAndGet(random.nextInt(3_000));
      if (expected.admitted()) {
        long[] amounts = {
          random.nextInt(12_000),
          random.nextInt(5_000),
          random.nextInt(40_000),
          random.nextInt(3) - 1,
          random.nextInt(3) - 1,
          random.nextInt(3) - 1
        };
        ChargeRequest charge = new ChargeRequest(buckets, amounts, admittedAt);
        memory.charge(charge);
        store.charge(charge).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      if (random.nextInt(20) == 0) {
        time.addAndGet(random.nextInt(120_000));
      }
    }
    assertTrue(
        outcomes[0] > 100 && outcomes[1] > 100,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }

  @Test
  void aRefundGivesBackOnlyWhatIsStillCounted() throws Exception {
    for (String limit : new String[] {"5/1m", "5/1m rolling(10s)", "5/1m token-bucket"}) {
      List<Bucket> buckets =
          List.of(new Bucket("r", "c:" + limit, List.of(Limit.parse(limit)), false));
      AcquireRequest one = new AcquireRequest(buckets, 1);
      time.set(T0 + 59_000);
      long admittedAt = both(one).nowMillis();
      both(one);
      time.set(T0 + 60_500); // the next minute: a fixed window has forgotten both
      both(one);
      ChargeRequest refund = new ChargeRequest(buckets, new long[] {-1}, admittedAt);
      memory.charge(refund);
      store.charge(refund).toCompletableFuture().get(5, TimeUnit.SECONDS);
      AcquireResult after = both(new AcquireRequest(buckets, 0));
      // fixed: the new minute holds one, the refund is void; rolling and token bucket: three held,
      // one refunded.
      assertEquals(limit.equals("5/1m") ? 4 : 3, after.usages().get(0).remaining(), limit);
    }
  }

  private AcquireResult both(AcquireRequest request) {
    AcquireResult expected = memory.acquire(request);
    assertEquals(expected, store.acquire(request), request.toString());
    return expected;
  }

  @Test
  void anOverdrawnTimeBudgetWaitsForItsWindowThroughTheEngine() throws Exception {
    AtomicLong nanos = new AtomicLong();
    CostClock cost =
        new CostClock() {
          @Override
          public long nanoTime() {
            return nanos.get();
          }

          @Override
          public long currentThreadCpuNanos() {
            return nanos.get();
          }
        };
    Tollgate engine =
        Tollgate.builder(TollgateConfig.parse(Map.of("limits", "100/1m, 30s/1m time")))
            .store(store)
            .clock(time::get)
            .costClock(cost)
            .build();
    Verdict first = engine.check(TestRequest.get("/search").from("10.0.0.9"));
    assertTrue(first.proceed());
    nanos.addAndGet(Duration.ofSeconds(40).toNanos());
    first.complete(200, 0);
    Verdict next = awaitRejected(engine);
    assertEquals(429, next.status());
    assertEquals(
        "50",
        next.headers().stream()
            .filter(h -> h.name().equals("Retry-After"))
            .findFirst()
            .orElseThrow()
            .value());
    assertTrue(
        next.headers().toString().contains("\"time-minute\";r=0"), next.headers().toString());
    time.addAndGet(50_000);
    assertTrue(
        engine.check(TestRequest.get("/search").from("10.0.0.9")).proceed(),
        "refilled with the next window");
  }

  @Test
  void redisDownWhenTheChargeIsSentLosesItQuietlyAndCountsIt() {
    AtomicInteger lost = new AtomicInteger();
    TollgateMetrics metrics =
        new TollgateMetrics() {
          @Override
          public void chargeLost(Throwable error) {
            lost.incrementAndGet();
          }
        };
    AtomicLong nanos = new AtomicLong();
    Tollgate engine =
        Tollgate.builder(TollgateConfig.parse(Map.of("limits", "30s/1m time")))
            .store(store)
            .clock(time::get)
            .metrics(metrics)
            .costClock(
                new CostClock() {
                  @Override
                  public long nanoTime() {
                    return nanos.get();
                  }

                  @Override
                  public long currentThreadCpuNanos() {
                    return -1;
                  }
                })
            .build();
    Verdict admitted = engine.check(TestRequest.get("/search").from("10.0.0.9"));
    assertTrue(admitted.proceed());
    server.stop();
    nanos.addAndGet(Duration.ofSeconds(40).toNanos());
    long start = System.nanoTime();
    admitted.complete(200, 0); // must neither throw nor wait for Redis
    long took = System.nanoTime() - start;
    assertTrue(
        took < TimeUnit.MILLISECONDS.toNanos(1_000), // the store timeout is 2 s
        "the charge delayed the response by " + took / 1_000_000 + " ms");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lost.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, lost.get(), "the lost charge is counted");
    assertEquals(1, store.lostChargeCount());

    // Down for good: the store knows, and a charge fails at once.
    for (int i = 0; i < 3; i++) {
      engine.check(TestRequest.get("/search").from("10.0.0.9"));
    }
    Verdict another = engine.check(TestRequest.get("/search").from("10.0.0.9"));
    start = System.nanoTime();
    another.complete(200, 0);
    assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_000));
  }

  private static Verdict awaitRejected(Tollgate engine) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Verdict v = engine.check(TestRequest.get("/search").from("10.0.0.9"));
    while (v.proceed() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      v = engine.check(TestRequest.get("/search").from("10.0.0.9"));
    }
    assertFalse(v.proceed(), "the charge landed");
    return v;
  }
}
