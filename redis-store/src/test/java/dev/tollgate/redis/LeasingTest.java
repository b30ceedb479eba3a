package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quota leasing ({@code store.redis.lease}) with several stores, each an application server,
 * against one real redis-server, on an injected clock shared by all (passed to the script in place
 * of {@code TIME}): the stated bound holds, a fixed window never admits more than its quota, and a
 * busy client costs Redis about one call per lease.
 */
class LeasingTest {

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  private static final int SERVERS = 5;
  private static final int LEASE = 10;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  private final AtomicLong time = new AtomicLong(T0);

  @BeforeEach
  void fresh() {
    redis.flushall();
  }

  @Test
  void aFixedWindowNeverAdmitsMoreThanItsQuotaAndABusyClientCostsAboutOneCallPerLease() {
    Limit limit = Limit.parse("100/1m");
    List<Long> admitted = run(LEASE, request(limit), 5 * 60_000, 40);
    Map<Long, Integer> perWindow = new HashMap<>();
    for (long t : admitted) {
      perWindow.merge(t / 60_000, 1, Integer::sum);
    }
    for (Map.Entry<Long, Integer> w : perWindow.entrySet()) {
      assertTrue(w.getValue() <= 100, "window " + w.getKey() + " admitted " + w.getValue());
      // Permits taken and not used stay counted: the price of leasing, at most a lease per server.
      assertTrue(
          w.getValue() >= 100 - (LEASE - 1) * SERVERS,
          "window " + w.getKey() + " admitted " + w.getValue());
    }
  }

  @Test
  void aRollingWindowAdmitsAtMostTheStatedBoundInAnyWindowAndExactlyTheQuotaWithoutLeasing() {
    Limit limit = Limit.parse("100/1m rolling");
    int leased = maxInAnyWindow(run(LEASE, request(limit), 5 * 60_000, 40), 60_000);
    redis.flushall();
    int exact = maxInAnyWindow(run(0, request(limit), 5 * 60_000, 40), 60_000);
    System.out.printf(
        "rolling 100/1m, %d servers: most admitted in any minute %d with lease %d (bound %d), %d without%n",
        SERVERS, leased, LEASE, 100 + (LEASE - 1) * SERVERS, exact);
    assertTrue(leased <= 100 + (LEASE - 1) * SERVERS, "with leases: " + leased);
    assertEquals(100, exact, "without leases");
  }

  @Test
  void aSingleServerWithLeasesAnswersExactlyAsInMemoryForAFixedWindow() {
    // One server holds every lease, and shows what it holds as remaining: the same numbers.
    InMemoryStore memory = InMemoryStore.create(10, time::get);
    AcquireRequest request = request(Limit.parse("100/1m"));
    try (RedisStore store =
        RedisStore.builder(server.uri()).scriptClock(time::get).lease(LEASE).build()) {
      redis.configResetstat();
      for (int i = 0; i < 130; i++) {
        assertEquals(memory.acquire(request), store.acquire(request), "call " + i);
        time.addAndGet(7);
      }
      // The first call (99 left), then leases of 10 while half of what is left allows it (99 ->
      // 19), then of 9, 5, 2, 1, 1 and 1 as the quota runs out, then one rejection (the rest are
      // rejected locally until the minute ends): 16 calls for 130 decisions, 85 admissions from
      // leases. The leases but the last are renewals of one BITFIELD each; the script takes the
      // first request, the last permit (half of one left is less than a request) and the
      // rejection.
      assertEquals(85, store.leasedAdmissionCount());
      Map<String, Long> commands = RedisCommandCountTest.commands(redis);
      assertEquals(3, commands.get("evalsha"), commands.toString());
      assertEquals(13, commands.get("bitfield"), commands.toString());
    }
  }

  @Test
  void aBusyClientUnderItsQuotaCostsOneRedisCommandPerLease() {
    AcquireRequest request = request(Limit.parse("100000/1m"));
    List<RedisStore> stores = stores(LEASE);
    Random random = new Random(9);
    int warmUp = 100;
    int decisions = 20_000; // about 20 s: all in one window
    Map<String, Long> first;
    Map<String, Long> steady;
    try {
      redis.configResetstat();
      for (int i = 0; i < warmUp; i++) {
        time.addAndGet(random.nextInt(3)); // about 1,000 a second over 5 servers
        assertTrue(stores.get(random.nextInt(SERVERS)).acquire(request).admitted());
      }
      first = RedisCommandCountTest.commands(redis);
      redis.configResetstat();
      for (int i = 0; i < decisions; i++) {
        time.addAndGet(random.nextInt(3));
        assertTrue(stores.get(random.nextInt(SERVERS)).acquire(request).admitted());
      }
      steady = RedisCommandCountTest.commands(redis);
    } finally {
      stores.forEach(RedisStore::close);
    }
    long all = steady.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "a busy client under its quota, lease %d over %d servers: %.4f Redis commands per decision"
            + " (%s) after %d decisions that cost %s (the script's first call on each server)%n",
        LEASE, SERVERS, all / (double) decisions, steady, warmUp, first);
    // Every lease is one BITFIELD of ten requests; each server may end with a lease partly spent.
    assertEquals(Map.of("bitfield", all), steady);
    assertTrue(all <= decisions / LEASE + SERVERS, all + " commands for " + decisions);
    assertEquals(SERVERS, first.get("evalsha"), first.toString());
  }

  @Test
  void manyThreadsOnSeveralServersNeverAdmitMoreThanTheQuota() throws Exception {
    AcquireRequest request = request(Limit.parse("100/1m"));
    List<RedisStore> stores = stores(LEASE);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        RedisStore store = stores.get(t % SERVERS);
        futures.add(
            pool.submit(
                () -> {
                  int n = 0;
                  for (int i = 0; i < 100; i++) {
                    n += store.acquire(request).admitted() ? 1 : 0;
                  }
                  return n;
                }));
      }
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get();
      }
      assertTrue(total <= 100 && total >= 100 - (LEASE - 1) * SERVERS, "admitted " + total);
    } finally {
      pool.shutdown();
      stores.forEach(RedisStore::close);
    }
  }

  /**
   * Sends one client's requests to the servers in turn for {@code millis}, every 0 to {@code
   * maxGap} ms; the admission times.
   */
  private List<Long> run(int lease, AcquireRequest request, long millis, int maxGap) {
    List<RedisStore> stores = stores(lease);
    Random random = new Random(3);
    List<Long> admitted = new ArrayList<>();
    long decisions = 0;
    redis.configResetstat();
    try {
      for (time.set(T0); time.get() < T0 + millis; time.addAndGet(random.nextInt(maxGap + 1))) {
        decisions++;
        if (stores.get(random.nextInt(SERVERS)).acquire(request).admitted()) {
          admitted.add(time.get() - T0);
        }
      }
    } finally {
      stores.forEach(RedisStore::close);
    }
    double perDecision =
        RedisCommandCountTest.commands(redis).getOrDefault("evalsha", 0L) / (double) decisions;
    System.out.printf(
        "lease %d: %d decisions, %.3f script calls per decision, %d admitted%n",
        lease, decisions, perDecision, admitted.size());
    assertTrue(
        perDecision < 0.05, perDecision + " script calls per decision"); // mostly rejected locally
    return admitted;
  }

  private List<RedisStore> stores(int lease) {
    List<RedisStore> stores = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      stores.add(RedisStore.builder(server.uri()).scriptClock(time::get).lease(lease).build());
    }
    return stores;
  }

  /** The most admissions within any {@code window} ms (times sorted). */
  private static int maxInAnyWindow(List<Long> times, long window) {
    int most = 0;
    int first = 0;
    for (int i = 0; i < times.size(); i++) {
      while (times.get(i) - times.get(first) >= window) {
        first++;
      }
      most = Math.max(most, i - first + 1);
    }
    return most;
  }

  private static AcquireRequest request(Limit limit) {
    return new AcquireRequest(List.of(new Bucket("default", "busy", List.of(limit), false)), 1);
  }
}
