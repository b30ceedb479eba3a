package dev.tollgate.benchmarks;

import static dev.tollgate.benchmarks.RedisBenchmark.HOT_KEYS;
import static dev.tollgate.benchmarks.RedisBenchmark.ROUND_TRIP_DECISIONS;

import dev.tollgate.benchmarks.RedisBenchmark.RoundTrips;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Counts the commands of {@link RedisBenchmark#ROUND_TRIP_DECISIONS} single-threaded decisions
 * under {@code MONITOR}, twice: for known clients (every tenth call from a client already over its
 * limit, so rejected; the others from clients seen once before) and for new clients (first call
 * each, on an empty database).
 */
final class RedisRoundTrips {

  private RedisRoundTrips() {}

  static List<RoundTrips> count(LocalRedis redis, String name, Contender c)
      throws IOException, InterruptedException {
    redis.flush();
    // Connections, scripts (ours: EVALSHA, NOSCRIPT, EVAL the first time) and classes warm; key 0
    // over its limit; every other client of the count seen once.
    for (int i = 0; i < Contenders.QUOTA; i++) {
      c.tryAcquire(0);
    }
    for (int i = 0; i < ROUND_TRIP_DECISIONS; i++) {
      if (i % 10 != 0) {
        c.tryAcquire(HOT_KEYS + i);
      }
    }
    List<RoundTrips> result = new ArrayList<>();
    result.add(
        monitored(redis, "known clients", i -> c.tryAcquire(i % 10 == 0 ? 0 : HOT_KEYS + i)));
    redis.flush();
    result.add(monitored(redis, "new clients", i -> c.tryAcquire(HOT_KEYS + i)));
    for (RoundTrips r : result) {
      System.out.printf(
          Locale.ROOT,
          "round trips %-15s %-13s %,d decisions (%,d admitted) -> from the client %s,"
              + " inside scripts %s%n",
          name,
          r.clients(),
          ROUND_TRIP_DECISIONS,
          r.admitted(),
          r.commands().fromClients(),
          r.commands().inScripts());
    }
    return result;
  }

  /** The commands of {@code decide(i)} for every i below the count, and how many were admitted. */
  private static RoundTrips monitored(LocalRedis redis, String clients, IntPredicate decide)
      throws IOException, InterruptedException {
    int[] admitted = new int[1];
    LocalRedis.Monitored commands =
        redis.monitor(
            () -> {
              for (int i = 0; i < ROUND_TRIP_DECISIONS; i++) {
                admitted[0] += decide.test(i) ? 1 : 0;
              }
            });
    return new RoundTrips(clients, admitted[0], commands);
  }
}
