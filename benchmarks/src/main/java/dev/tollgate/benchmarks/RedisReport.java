package dev.tollgate.benchmarks;

import static dev.tollgate.benchmarks.RedisBenchmark.CALLERS;
import static dev.tollgate.benchmarks.RedisBenchmark.HOT_KEYS;
import static dev.tollgate.benchmarks.RedisBenchmark.HOT_SHARE;
import static dev.tollgate.benchmarks.RedisBenchmark.ROUND_TRIP_DECISIONS;
import static dev.tollgate.benchmarks.RedisBenchmark.TAIL_KEYS;

import dev.tollgate.benchmarks.RedisBenchmark.Point;
import dev.tollgate.benchmarks.RedisBenchmark.RoundTrips;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The markdown section of {@link RedisBenchmark}: how it measured, the table and the round trips.
 */
final class RedisReport {

  private RedisReport() {}

  static String summary(
      String version,
      int rounds,
      Duration warmup,
      Duration measure,
      int ceilingRequests,
      Map<Integer, Map<String, Point>> points,
      Map<Integer, Point> ceiling,
      Map<String, List<RoundTrips>> roundTrips,
      Map<String, String> failed) {
    StringBuilder out = new StringBuilder();
    out.append("## Redis store (decisions per second; higher is better)\n\n");
    out.append(method(version, rounds, warmup, measure, ceilingRequests));
    out.append(
        "| callers | contender | decisions/s | p50 µs | p99 µs | admitted | Redis commands/decision | Redis CPU µs/decision | vs ours |\n");
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int callers : CALLERS) {
      appendRows(out, callers, points.getOrDefault(callers, Map.of()), ceiling.get(callers));
    }
    for (Map.Entry<String, String> f : failed.entrySet()) {
      out.append("| | ")
          .append(f.getKey())
          .append(" | not measured: ")
          .append(f.getValue())
          .append(" |||||||\n");
    }
    appendRoundTrips(out, roundTrips);
    out.append('\n');
    return out.toString();
  }

  private static String method(
      String version, int rounds, Duration warmup, Duration measure, int ceilingRequests) {
    return String.format(
        Locale.ROOT,
        "One private `redis-server %s` on 127.0.0.1 (no persistence), on the same "
            + "cores as the callers. Limit 100 per minute per client; %d hot clients get %.0f%% of the calls (soon over "
            + "their limit), %,d others share the rest uniformly (under it). Callers: plain threads calling back to "
            + "back, through one Lettuce connection per library shared by all threads. Each run starts on a flushed "
            + "database, warms up for %d s (which visits every client) and measures %d s; %d rounds, the contenders "
            + "in turn in each, and the table shows the round with the median rate. p50/p99: every measured call "
            + "(sorted samples, no histogram). Redis commands/decision: all commands Redis ran per decision, those "
            + "inside scripts included (`INFO commandstats`). Redis CPU: the server process's user + system CPU time "
            + "(`INFO cpu`) per decision, network included; Redis runs commands on one thread, so 1,000,000 divided "
            + "by it bounds the decisions per second of one Redis. Lettuce floor: not a limiter, an `EVALSHA` of "
            + "`return 1` through Lettuce from the same harness. Ceiling: `redis-benchmark -c <callers> -n %,d EVALSHA "
            + "<sha of 'return 1'> 0` (C, one connection per caller). Vs ours: the row's decisions/s divided by ours, "
            + "so below 1.00x means we decide more per second.%n%n",
        version,
        HOT_KEYS,
        100 * HOT_SHARE,
        TAIL_KEYS,
        warmup.toSeconds(),
        measure.toSeconds(),
        rounds,
        ceilingRequests);
  }

  /** The rows of one number of callers: every contender, then the ceiling if measured. */
  private static void appendRows(
      StringBuilder out, int callers, Map<String, Point> row, Point ceiling) {
    Point ours = row.get("tollgate-redis");
    for (Map.Entry<String, Point> e : row.entrySet()) {
      Point p = e.getValue();
      boolean floor = e.getKey().equals(RedisContenders.LETTUCE_FLOOR);
      out.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %,.0f | %.0f | %.0f | %s | %.2f | %.1f | %s |%n",
              callers,
              floor ? "floor: Lettuce EVALSHA `return 1`" : e.getKey(),
              p.perSecond(),
              p.p50Nanos() / 1e3,
              p.p99Nanos() / 1e3,
              (floor ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * p.admittedShare()))
                  + (p.errors() == 0
                      ? ""
                      : String.format(Locale.ROOT, " (%,d errors)", p.errors())),
              p.commandsPerDecision(),
              p.redisCpuMicrosPerDecision(),
              vs(p, ours, e.getKey())));
    }
    if (ceiling != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %d | ceiling: redis-benchmark EVALSHA `return 1` | %,.0f | %.0f | %.0f"
                  + " |  | 1.00 |  | %s |%n",
              callers,
              ceiling.perSecond(),
              ceiling.p50Nanos() / 1e3,
              ceiling.p99Nanos() / 1e3,
              vs(ceiling, ours, "")));
    }
  }

  private static void appendRoundTrips(
      StringBuilder out, Map<String, List<RoundTrips>> roundTrips) {
    out.append(
        String.format(
            Locale.ROOT,
            "%nRound trips: the commands each client sent, counted with `MONITOR` over "
                + "%,d single-threaded decisions; in brackets the commands its scripts ran. Known clients: every tenth "
                + "call from a client over its limit, the others from clients seen once before. New clients: each "
                + "client's first call.%n%n",
            ROUND_TRIP_DECISIONS));
    for (Map.Entry<String, List<RoundTrips>> e : roundTrips.entrySet()) {
      for (RoundTrips r : e.getValue()) {
        long sent = r.commands().fromClients().values().stream().mapToLong(Long::longValue).sum();
        out.append(
            String.format(
                Locale.ROOT,
                "- `%s`, %s (%,d admitted): **%.2f round trips per decision**: %s (%s)%n",
                e.getKey(),
                r.clients(),
                r.admitted(),
                sent / (double) ROUND_TRIP_DECISIONS,
                counts(r.commands().fromClients()),
                counts(r.commands().inScripts())));
      }
    }
  }

  private static String vs(Point p, Point ours, String name) {
    return ours == null || name.equals("tollgate-redis")
        ? ""
        : String.format(Locale.ROOT, "%.2fx", p.perSecond() / ours.perSecond());
  }

  private static String counts(Map<String, Long> calls) {
    return calls.isEmpty()
        ? "none"
        : calls.entrySet().stream()
            .map(
                c ->
                    String.format(
                        Locale.ROOT, "%s %,d", c.getKey().toUpperCase(Locale.ROOT), c.getValue()))
            .collect(Collectors.joining(", "));
  }
}
