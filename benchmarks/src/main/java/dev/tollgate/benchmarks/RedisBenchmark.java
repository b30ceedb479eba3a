package dev.tollgate.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The Redis part of the suite, {@code RedisBenchmark <quick|full>}: our {@code RedisStore} against
 * Bucket4j's Lettuce backend on one private, local {@code redis-server}, with {@code
 * redis-benchmark}'s rate of {@code EVALSHA} of a trivial script ({@code return 1}) as the ceiling.
 *
 * <p>For 1, 8 and 64 concurrent callers (plain threads calling back to back), each contender runs a
 * warm-up and then a measured period on a flushed database; every measured call's latency is kept
 * in a plain {@code long[]} per thread (no histogram library: the arrays are concatenated and
 * sorted, and p50/p99 read off the sorted samples). Keys: 10 hot clients get 10% of the calls and
 * are soon over their 100 per minute, 10,000 other clients share the rest uniformly and stay under
 * it, so most decisions are admitted and some rejected, at any rate. The same pre-drawn key
 * sequence for every contender.
 *
 * <p>Round trips: {@code MONITOR} around a fixed number of single-threaded decisions tells the
 * commands each client sent (round trips) from those its scripts ran; {@code CONFIG RESETSTAT} and
 * {@code INFO commandstats} around every measured run give all commands Redis ran per decision. A
 * third row, not a limiter, calls {@code EVALSHA} of {@code return 1} through Lettuce from the same
 * harness: the client's own floor.
 */
public final class RedisBenchmark {

  static final int[] CALLERS = {1, 8, 64};
  static final int HOT_KEYS = 10;
  static final int TAIL_KEYS = 10_000;
  static final double HOT_SHARE = 0.10;
  static final int ROUND_TRIP_DECISIONS = 1_000;

  private RedisBenchmark() {}

  /** One measured point of one contender. */
  record Point(
      double perSecond,
      double p50Nanos,
      double p99Nanos,
      double admittedShare,
      long errors,
      long calls,
      double commandsPerDecision,
      double redisCpuMicrosPerDecision,
      String firstError) {

    Point withServerCost(long commands, double cpuSeconds) {
      return new Point(
          perSecond,
          p50Nanos,
          p99Nanos,
          admittedShare,
          errors,
          calls,
          commands / (double) calls,
          cpuSeconds * 1e6 / calls,
          firstError);
    }
  }

  /** The {@code MONITOR} counts of one contender for {@link #ROUND_TRIP_DECISIONS} decisions. */
  record RoundTrips(String clients, int admitted, LocalRedis.Monitored commands) {}

  public static void main(String[] args) throws Exception {
    boolean full = args.length > 0 && args[0].equals("full");
    int rounds = full ? 5 : 3;
    Duration warmup = Duration.ofSeconds(full ? 10 : 4);
    Duration measure = Duration.ofSeconds(full ? 10 : 4);
    int ceilingRequests = full ? 300_000 : 100_000;
    String[] keys = Keys.create(HOT_KEYS + TAIL_KEYS);
    int[] draws = draws(1 << 20, 42);

    Map<String, List<RoundTrips>> roundTrips = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    // callers -> contender -> one point per round
    Map<Integer, Map<String, List<Point>>> points = new LinkedHashMap<>();
    Map<Integer, List<Point>> ceiling = new LinkedHashMap<>();
    String version;
    try (LocalRedis redis = LocalRedis.start()) {
      version = redis.version();
      System.out.println("# redis-server " + version + " on port " + redis.port());
      Map<String, Contender> contenders = new LinkedHashMap<>();
      List<String> names = new ArrayList<>(RedisContenders.ALL);
      names.add(RedisContenders.LETTUCE_FLOOR);
      for (String name : names) {
        try {
          contenders.put(name, RedisContenders.create(name, redis.uri(), keys));
        } catch (RuntimeException | LinkageError e) {
          failed.put(name, e.toString());
          System.out.println("# " + name + " failed to start: " + e);
        }
      }
      try {
        for (String name : RedisContenders.ALL) {
          Contender c = contenders.get(name);
          if (c != null) {
            roundTrips.put(name, countRoundTrips(redis, name, c));
          }
        }
        String sha = redis.admin().scriptLoad("return 1");
        Path redisBenchmark = redis.benchmarkBinary();
        for (int callers : CALLERS) {
          // Rounds, contenders in turn in each, so that other work on a shared machine hits all
          // alike;
          // the report takes the median round. Each run starts on an empty database and its warm-up
          // visits every client, so the measured period sees known clients, as a running service
          // does.
          for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Contender> c : contenders.entrySet()) {
              redis.flush();
              redis.resetStats();
              double cpu = redis.cpuSeconds();
              Point p = run(c.getValue(), callers, draws, warmup, measure);
              p =
                  p.withServerCost(
                      redis.commandCalls().values().stream().mapToLong(Long::longValue).sum(),
                      redis.cpuSeconds() - cpu);
              points
                  .computeIfAbsent(callers, k -> new LinkedHashMap<>())
                  .computeIfAbsent(c.getKey(), k -> new ArrayList<>())
                  .add(p);
              System.out.printf(
                  Locale.ROOT,
                  "round %d %-24s callers %2d  %,10.0f decisions/s  p50 %7.1f us  p99 "
                      + "%8.1f us  admitted %5.1f%%  errors %d  commands/decision %.2f  Redis CPU %.1f us/decision%s%n",
                  round,
                  c.getKey(),
                  callers,
                  p.perSecond,
                  p.p50Nanos / 1e3,
                  p.p99Nanos / 1e3,
                  100 * p.admittedShare,
                  p.errors,
                  p.commandsPerDecision,
                  p.redisCpuMicrosPerDecision,
                  p.firstError == null ? "" : "  first error: " + p.firstError);
            }
            if (redisBenchmark != null) {
              redis.flush();
              Point p = redisBenchmark(redisBenchmark, redis.port(), callers, ceilingRequests, sha);
              ceiling.computeIfAbsent(callers, k -> new ArrayList<>()).add(p);
              System.out.printf(
                  Locale.ROOT,
                  "round %d %-24s callers %2d  %,10.0f requests/s  p50 %7.1f us  p99 "
                      + "%8.1f us%n",
                  round,
                  "redis-benchmark",
                  callers,
                  p.perSecond,
                  p.p50Nanos / 1e3,
                  p.p99Nanos / 1e3);
            } else if (round == 1) {
              System.out.println("# redis-benchmark not found: no ceiling");
            }
          }
        }
      } finally {
        for (Contender c : contenders.values()) {
          c.close();
        }
      }
    }
    Map<Integer, Map<String, Point>> medians = new LinkedHashMap<>();
    points.forEach(
        (callers, byName) ->
            byName.forEach(
                (name, ps) ->
                    medians
                        .computeIfAbsent(callers, k -> new LinkedHashMap<>())
                        .put(name, median(ps))));
    Map<Integer, Point> ceilings = new LinkedHashMap<>();
    ceiling.forEach((callers, ps) -> ceilings.put(callers, median(ps)));
    System.out.println("SUMMARY-BEGIN");
    System.out.print(
        summary(
            version,
            rounds,
            warmup,
            measure,
            ceilingRequests,
            medians,
            ceilings,
            roundTrips,
            failed));
    System.out.println("SUMMARY-END");
    // Lettuce's and the JDK's non-daemon threads must not keep the child JVM alive.
    System.exit(0);
  }

  /**
   * Counts the commands of {@link #ROUND_TRIP_DECISIONS} single-threaded decisions under {@code
   * MONITOR}, twice: for known clients (every tenth call from a client already over its limit, so
   * rejected; the others from clients seen once before) and for new clients (first call each, on an
   * empty database).
   */
  static List<RoundTrips> countRoundTrips(LocalRedis redis, String name, Contender c)
      throws Exception {
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
    int[] admitted = new int[1];
    LocalRedis.Monitored known =
        redis.monitor(
            () -> {
              for (int i = 0; i < ROUND_TRIP_DECISIONS; i++) {
                admitted[0] += c.tryAcquire(i % 10 == 0 ? 0 : HOT_KEYS + i) ? 1 : 0;
              }
            });
    List<RoundTrips> result = new ArrayList<>();
    result.add(new RoundTrips("known clients", admitted[0], known));
    redis.flush();
    admitted[0] = 0;
    LocalRedis.Monitored fresh =
        redis.monitor(
            () -> {
              for (int i = 0; i < ROUND_TRIP_DECISIONS; i++) {
                admitted[0] += c.tryAcquire(HOT_KEYS + i) ? 1 : 0;
              }
            });
    result.add(new RoundTrips("new clients", admitted[0], fresh));
    for (RoundTrips r : result) {
      System.out.printf(
          Locale.ROOT,
          "round trips %-15s %-13s %,d decisions (%,d admitted) -> from the client %s,"
              + " inside scripts %s%n",
          name,
          r.clients,
          ROUND_TRIP_DECISIONS,
          r.admitted,
          r.commands.fromClients(),
          r.commands.inScripts());
    }
    return result;
  }

  /** The round with the median rate (so its latencies belong to the same round). */
  static Point median(List<Point> ps) {
    List<Point> sorted = new ArrayList<>(ps);
    sorted.sort(java.util.Comparator.comparingDouble(Point::perSecond));
    return sorted.get(sorted.size() / 2);
  }

  private static String summary(
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
    out.append(
        String.format(
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
            ceilingRequests));
    out.append(
        "| callers | contender | decisions/s | p50 µs | p99 µs | admitted | Redis commands/decision | Redis CPU µs/decision | vs ours |\n");
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int callers : CALLERS) {
      Map<String, Point> row = points.getOrDefault(callers, Map.of());
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
                p.perSecond,
                p.p50Nanos / 1e3,
                p.p99Nanos / 1e3,
                (floor ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * p.admittedShare))
                    + (p.errors == 0 ? "" : String.format(Locale.ROOT, " (%,d errors)", p.errors)),
                p.commandsPerDecision,
                p.redisCpuMicrosPerDecision,
                vs(p, ours, e.getKey())));
      }
      Point c = ceiling.get(callers);
      if (c != null) {
        out.append(
            String.format(
                Locale.ROOT,
                "| %d | ceiling: redis-benchmark EVALSHA `return 1` | %,.0f | %.0f | %.0f"
                    + " |  | 1.00 |  | %s |%n",
                callers,
                c.perSecond,
                c.p50Nanos / 1e3,
                c.p99Nanos / 1e3,
                vs(c, ours, "")));
      }
    }
    for (Map.Entry<String, String> f : failed.entrySet()) {
      out.append("| | ")
          .append(f.getKey())
          .append(" | not measured: ")
          .append(f.getValue())
          .append(" |||||||\n");
    }
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
        long sent = r.commands.fromClients().values().stream().mapToLong(Long::longValue).sum();
        out.append(
            String.format(
                Locale.ROOT,
                "- `%s`, %s (%,d admitted): **%.2f round trips per decision**: %s (%s)%n",
                e.getKey(),
                r.clients,
                r.admitted,
                sent / (double) ROUND_TRIP_DECISIONS,
                counts(r.commands.fromClients()),
                counts(r.commands.inScripts())));
      }
    }
    out.append('\n');
    return out.toString();
  }

  private static String vs(Point p, Point ours, String name) {
    return ours == null || name.equals("tollgate-redis")
        ? ""
        : String.format(Locale.ROOT, "%.2fx", p.perSecond / ours.perSecond);
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

  /**
   * {@code count} key indexes: with probability {@link #HOT_SHARE} one of the first {@link
   * #HOT_KEYS} keys, otherwise one of the next {@link #TAIL_KEYS}, uniformly; fixed seed.
   */
  static int[] draws(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] draws = new int[count];
    for (int i = 0; i < count; i++) {
      draws[i] =
          random.nextDouble() < HOT_SHARE
              ? random.nextInt(HOT_KEYS)
              : HOT_KEYS + random.nextInt(TAIL_KEYS);
    }
    return draws;
  }

  /**
   * {@code callers} threads call {@code contender} back to back for {@code warmup + measure}; those
   * calls that start in the measured period are counted and their latencies kept. The point's
   * {@code calls} counts all calls, warm-up included, for {@link Point#withServerCost}.
   */
  static Point run(Contender contender, int callers, int[] draws, Duration warmup, Duration measure)
      throws InterruptedException {
    long[][] samples = new long[callers][];
    int[] sampleCounts = new int[callers];
    long[] admitted = new long[callers];
    long[] errors = new long[callers];
    long[] calls = new long[callers];
    String[] firstError = new String[callers];
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    long[] times = new long[2];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                int at = (int) ((long) id * draws.length / callers);
                ready.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                long measureFrom = times[0];
                long end = times[1];
                while (true) {
                  int key = draws[at];
                  at = at + 1 == draws.length ? 0 : at + 1;
                  long t0 = System.nanoTime();
                  if (t0 >= end) {
                    break;
                  }
                  boolean ok = false;
                  boolean error = false;
                  try {
                    ok = contender.tryAcquire(key);
                  } catch (RuntimeException e) {
                    error = true;
                    if (firstError[id] == null) {
                      firstError[id] = e.toString();
                    }
                  }
                  long t1 = System.nanoTime();
                  calls[id]++;
                  if (t0 >= measureFrom) {
                    if (n == lat.length) {
                      lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = t1 - t0;
                    if (error) {
                      errors[id]++;
                    } else if (ok) {
                      admitted[id]++;
                    }
                  }
                }
                samples[id] = lat;
                sampleCounts[id] = n;
              },
              "caller-" + t);
      threads.add(thread);
      thread.start();
    }
    ready.await();
    long start = System.nanoTime();
    times[0] = start + warmup.toNanos();
    times[1] = times[0] + measure.toNanos();
    go.countDown(); // publishes times[] to the callers
    for (Thread t : threads) {
      t.join();
    }
    List<long[]> parts = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      parts.add(Arrays.copyOf(samples[t], sampleCounts[t]));
    }
    long[] all = HttpOverhead.concat(parts);
    long totalErrors = Arrays.stream(errors).sum();
    String error = Arrays.stream(firstError).filter(e -> e != null).findFirst().orElse(null);
    return new Point(
        all.length / (measure.toNanos() / 1e9),
        HttpOverhead.percentile(all, 0.50),
        HttpOverhead.percentile(all, 0.99),
        all.length == 0 ? 0 : Arrays.stream(admitted).sum() / (double) all.length,
        totalErrors,
        Arrays.stream(calls).sum(),
        Double.NaN,
        Double.NaN,
        error);
  }

  /**
   * {@code redis-benchmark -h 127.0.0.1 -p <port> -c <callers> -n <requests> --csv EVALSHA <sha>
   * 0}; its CSV line gives requests per second and the p50 and p99 latencies in milliseconds.
   */
  static Point redisBenchmark(Path binary, int port, int callers, int requests, String sha)
      throws Exception {
    List<String> command =
        List.of(
            binary.toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-c",
            Integer.toString(callers),
            "-n",
            Integer.toString(requests),
            "--csv",
            "EVALSHA",
            sha,
            "0");
    System.out.println("# " + String.join(" ", command));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    System.out.print(text);
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("\"EVALSHA")) {
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        String[] f = line.replace("\"", "").split(",");
        return new Point(
            Double.parseDouble(f[1]),
            Double.parseDouble(f[4]) * 1e6,
            Double.parseDouble(f[6]) * 1e6,
            Double.NaN,
            0,
            requests,
            1,
            Double.NaN,
            null);
      }
    }
    throw new IllegalStateException("redis-benchmark printed no CSV result:\n" + text);
  }
}
