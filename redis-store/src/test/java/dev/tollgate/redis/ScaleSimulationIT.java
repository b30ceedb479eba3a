package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A scale simulation: 10 and 50 stores in one JVM, each an application server with its own Lettuce
 * client, against one real redis-server; a Zipf load over many clients (a few very busy, a long
 * tail of occasional ones), each request to a random server; a limit of {@code 100/1m} per client
 * (the busy clients soon over it) and of {@code 1000/1m} (most of them under it), at two rates; the
 * whole run inside one minute of an injected clock, so that "admitted versus quota" is exact
 * arithmetic. It reports all commands Redis ran per decision ({@code INFO commandstats}, those
 * inside the script included), script calls per decision, and admitted versus what the quota
 * allows, with and without leasing; and it requires that no client is ever admitted beyond its
 * quota.
 */
class ScaleSimulationIT {

  private static final long T0 = 1_699_920_000_000L; // a minute boundary
  private static final int CLIENTS = 10_000;
  private static final double ZIPF_S = 1.1;
  private static final int DECISIONS = 30_000;
  private static final int THREADS = 8;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  @Test
  void tenAndFiftyServersWithAndWithoutLeasingNeverAdmitBeyondTheQuota() throws Exception {
    int[] clients = zipf(CLIENTS, ZIPF_S, DECISIONS, 17);
    int[] demand = new int[CLIENTS];
    for (int c : clients) {
      demand[c]++;
    }
    System.out.printf(
        "scale simulation: %,d decisions, %,d clients Zipf(s=%.1f) (the busiest sends %,d), each to a"
            + " random server, %d caller threads%n",
        DECISIONS, CLIENTS, ZIPF_S, demand[0], THREADS);
    System.out.println(
        "| decisions/s (injected clock) | limit | servers | lease | Redis commands/decision | script calls/decision | rejected locally | admitted from leases | admitted | vs what the quota allows | beyond quota |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (long span : new long[] {59_000, 5_900}) {
      for (int quota : new int[] {100, 1000}) {
        long allowed = 0;
        for (int d : demand) {
          allowed += Math.min(d, quota);
        }
        for (int servers : new int[] {10, 50}) {
          for (int lease : new int[] {0, 10}) {
            Outcome o = run(servers, lease, quota, span, clients);
            System.out.printf(
                "| %,d | %d/1m | %d | %s | %.3f | %.3f | %.1f%% | %.1f%% | %,d | %.1f%% of %,d | %d |%n",
                DECISIONS * 1000 / span,
                quota,
                servers,
                lease == 0 ? "off" : lease,
                o.commands / (double) DECISIONS,
                o.scripts / (double) DECISIONS,
                100.0 * o.localRejections / DECISIONS,
                100.0 * o.leased / DECISIONS,
                o.admitted,
                100.0 * o.admitted / allowed,
                allowed,
                o.beyondQuota);
            assertEquals(0, o.beyondQuota, "admissions beyond the quota");
            if (lease == 0) {
              assertEquals(
                  allowed,
                  o.admitted,
                  "without leasing every client gets exactly what the quota allows");
            }
          }
        }
      }
    }
  }

  private record Outcome(
      long commands,
      long scripts,
      long localRejections,
      long leased,
      long admitted,
      long beyondQuota) {}

  private static Outcome run(int servers, int lease, int quota, long span, int[] clients)
      throws Exception {
    redis.flushall();
    AtomicLong time = new AtomicLong(T0);
    List<RedisStore> stores = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int i = 0; i < servers; i++) {
        // The simulation counts commands and admissions, not latency: a loaded machine must not
        // turn a slow answer into a store failure (the timeout has tests of its own).
        stores.add(
            RedisStore.builder(server.uri())
                .scriptClock(time::get)
                .lease(lease)
                .timeout(Duration.ofSeconds(30))
                .connectTimeout(Duration.ofSeconds(10))
                .build());
      }
      Limit limit = Limit.parse(quota + "/1m");
      AcquireRequest[] requests = new AcquireRequest[CLIENTS];
      for (int c = 0; c < CLIENTS; c++) {
        requests[c] =
            new AcquireRequest(
                List.of(
                    new Bucket(
                        "default", "ip:10.0." + (c >> 8) + "." + (c & 255), List.of(limit), false)),
                1);
      }
      int[] serverOf = new SplittableRandom(5).ints(DECISIONS, 0, servers).toArray();
      AtomicInteger next = new AtomicInteger();
      AtomicIntegerArray admitted = new AtomicIntegerArray(CLIENTS);
      redis.configResetstat();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < DECISIONS; i = next.getAndIncrement()) {
                    // Evenly spread over the span, inside one minute.
                    time.accumulateAndGet(T0 + i * span / DECISIONS, Math::max);
                    if (stores.get(serverOf[i]).acquire(requests[clients[i]]).admitted()) {
                      admitted.incrementAndGet(clients[i]);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      Map<String, Long> commands = RedisCommandCountTest.commands(redis);
      long total = 0;
      long beyond = 0;
      for (int c = 0; c < CLIENTS; c++) {
        total += admitted.get(c);
        beyond += Math.max(0, admitted.get(c) - quota);
      }
      long local = 0;
      long leased = 0;
      for (RedisStore s : stores) {
        local += s.localRejectionCount();
        leased += s.leasedAdmissionCount();
      }
      return new Outcome(
          commands.values().stream().mapToLong(Long::longValue).sum(),
          commands.getOrDefault("evalsha", 0L) + commands.getOrDefault("eval", 0L),
          local,
          leased,
          total,
          beyond);
    } finally {
      pool.shutdown();
      stores.forEach(RedisStore::close);
    }
  }

  /** {@code count} client indices in [0, n) from Zipf(s), from a fixed seed. */
  private static int[] zipf(int n, double s, int count, long seed) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, s);
      cdf[k] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      int at = Arrays.binarySearch(cdf, random.nextDouble() * sum);
      out[i] = at >= 0 ? at : Math.min(n - 1, -at - 1);
    }
    return out;
  }
}
