package dev.tollgate.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

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
 *
 * <p>One caller thread: {@link RedisCaller}; the round-trip count: {@link RedisRoundTrips}; the
 * markdown section: {@link RedisReport}.
 */
public final class RedisBenchmark {

  static final int[] CALLERS = {1, 8, 64};
  static final int HOT_KEYS = 10;
  static final int TAIL_KEYS = 10_000;
  static final double HOT_SHARE = 0.10;
  static final int ROUND_TRIP_DECISIONS = 1_000;

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

  private final int rounds;
  private final Duration warmup;
  private final Duration measure;
  private final int ceilingRequests;
  private final String[] keys = Keys.create(HOT_KEYS + TAIL_KEYS);
  private final int[] draws = draws(1 << 20, 42);
  private final Map<String, List<RoundTrips>> roundTrips = new LinkedHashMap<>();
  private final Map<String, String> failed = new LinkedHashMap<>();
  // callers -> contender -> one point per round
  private final Map<Integer, Map<String, List<Point>>> points = new LinkedHashMap<>();
  private final Map<Integer, List<Point>> ceiling = new LinkedHashMap<>();

  private RedisBenchmark(boolean full) {
    // Exploring one change needs fewer callers and more rounds than the report: system properties
    // narrow a run (tollgate.redis.callers=8, tollgate.redis.rounds=7,
    // tollgate.redis.contenders=tollgate-redis,lettuce-evalsha-return-1).
    rounds = Integer.getInteger("tollgate.redis.rounds", full ? 5 : 3);
    warmup = Duration.ofSeconds(full ? 10 : 4);
    measure = Duration.ofSeconds(full ? 10 : 4);
    ceilingRequests = full ? 300_000 : 100_000;
  }

  public static void main(String[] args) throws Exception {
    RedisBenchmark benchmark = new RedisBenchmark(args.length > 0 && args[0].equals("full"));
    String version = benchmark.measureAll();
    System.out.println("SUMMARY-BEGIN");
    System.out.print(benchmark.summary(version));
    System.out.println("SUMMARY-END");
    // Lettuce's and the JDK's non-daemon threads must not keep the child JVM alive.
    System.exit(0);
  }

  /** Starts Redis and the contenders, counts round trips and measures; the Redis version. */
  private String measureAll() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      String version = redis.version();
      System.out.println("# redis-server " + version + " on port " + redis.port());
      Map<String, Contender> contenders = startContenders(redis);
      try {
        for (String name : RedisContenders.ALL) {
          Contender c = contenders.get(name);
          if (c != null) {
            roundTrips.put(name, RedisRoundTrips.count(redis, name, c));
          }
        }
        measureRounds(redis, contenders);
      } finally {
        for (Contender c : contenders.values()) {
          c.close();
        }
      }
      return version;
    }
  }

  /** Every Redis contender and the Lettuce floor; those that fail to start go to {@code failed}. */
  private Map<String, Contender> startContenders(LocalRedis redis) {
    Map<String, Contender> contenders = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(RedisContenders.ALL);
    names.add(RedisContenders.LETTUCE_FLOOR);
    String only = System.getProperty("tollgate.redis.contenders");
    if (only != null) {
      names.retainAll(List.of(only.split(",")));
    }
    for (String name : names) {
      try {
        contenders.put(name, RedisContenders.create(name, redis.uri(), keys));
      } catch (RuntimeException | LinkageError e) {
        failed.put(name, e.toString());
        System.out.println("# " + name + " failed to start: " + e);
      }
    }
    return contenders;
  }

  private void measureRounds(LocalRedis redis, Map<String, Contender> contenders) throws Exception {
    String sha = redis.admin().scriptLoad("return 1");
    Path binary = redis.benchmarkBinary();
    for (int callers : callers()) {
      // Rounds, contenders in turn in each, so that other work on a shared machine hits all
      // alike; the report takes the median round. Each run starts on an empty database and its
      // warm-up visits every client, so the measured period sees known clients, as a running
      // service does.
      for (int round = 1; round <= rounds; round++) {
        for (Map.Entry<String, Contender> c : contenders.entrySet()) {
          measureContender(redis, round, callers, c.getKey(), c.getValue());
        }
        if (binary != null) {
          measureCeiling(redis, binary, sha, round, callers);
        } else if (round == 1) {
          System.out.println("# redis-benchmark not found: no ceiling");
        }
      }
    }
  }

  private static int[] callers() {
    String only = System.getProperty("tollgate.redis.callers");
    return only == null
        ? CALLERS
        : Arrays.stream(only.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** One run of one contender on a flushed database, with what it cost Redis. */
  private void measureContender(
      LocalRedis redis, int round, int callers, String name, Contender contender) throws Exception {
    redis.flush();
    redis.resetStats();
    double cpu = redis.cpuSeconds();
    Point p = run(contender, callers, draws, warmup, measure);
    double scriptMicros = redis.scriptMicros() / (double) p.calls;
    p =
        p.withServerCost(
            redis.commandCalls().values().stream().mapToLong(Long::longValue).sum(),
            redis.cpuSeconds() - cpu);
    points
        .computeIfAbsent(callers, k -> new LinkedHashMap<>())
        .computeIfAbsent(name, k -> new ArrayList<>())
        .add(p);
    System.out.printf(
        Locale.ROOT,
        "round %d %-24s callers %2d  %,10.0f decisions/s  p50 %7.1f us  p99 "
            + "%8.1f us  admitted %5.1f%%  errors %d  commands/decision %.2f  Redis CPU %.1f us/decision (scripts %.1f)%s%n",
        round,
        name,
        callers,
        p.perSecond,
        p.p50Nanos / 1e3,
        p.p99Nanos / 1e3,
        100 * p.admittedShare,
        p.errors,
        p.commandsPerDecision,
        p.redisCpuMicrosPerDecision,
        scriptMicros,
        p.firstError == null ? "" : "  first error: " + p.firstError);
  }

  /** One redis-benchmark run on a flushed database: the ceiling. */
  private void measureCeiling(LocalRedis redis, Path binary, String sha, int round, int callers)
      throws Exception {
    redis.flush();
    Point p = redisBenchmark(binary, redis.port(), callers, ceilingRequests, sha);
    ceiling.computeIfAbsent(callers, k -> new ArrayList<>()).add(p);
    System.out.printf(
        Locale.ROOT,
        "round %d %-24s callers %2d  %,10.0f requests/s  p50 %7.1f us  p99 " + "%8.1f us%n",
        round,
        "redis-benchmark",
        callers,
        p.perSecond,
        p.p50Nanos / 1e3,
        p.p99Nanos / 1e3);
  }

  /** The markdown section, of the median round of every point. */
  private String summary(String version) {
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
    return RedisReport.summary(
        version, rounds, warmup, measure, ceilingRequests, medians, ceilings, roundTrips, failed);
  }

  /** The round with the median rate (so its latencies belong to the same round). */
  static Point median(List<Point> ps) {
    List<Point> sorted = new ArrayList<>(ps);
    sorted.sort(Comparator.comparingDouble(Point::perSecond));
    return sorted.get(sorted.size() / 2);
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
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    long[] times = new long[2];
    List<RedisCaller> each = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int firstDraw = (int) ((long) t * draws.length / callers);
      RedisCaller caller = new RedisCaller(contender, draws, firstDraw, ready, go, times);
      Thread thread = new Thread(caller, "caller-" + t);
      each.add(caller);
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
    return point(each, measure);
  }

  /** The callers' results together; no server cost yet. */
  private static Point point(List<RedisCaller> callers, Duration measure) {
    List<long[]> parts = new ArrayList<>();
    for (RedisCaller c : callers) {
      parts.add(c.samples());
    }
    long[] all = HttpOverhead.concat(parts);
    long totalErrors = callers.stream().mapToLong(RedisCaller::errors).sum();
    String error =
        callers.stream()
            .map(RedisCaller::firstError)
            .filter(e -> e != null)
            .findFirst()
            .orElse(null);
    return new Point(
        all.length / (measure.toNanos() / 1e9),
        HttpOverhead.percentile(all, 0.50),
        HttpOverhead.percentile(all, 0.99),
        all.length == 0
            ? 0
            : callers.stream().mapToLong(RedisCaller::admitted).sum() / (double) all.length,
        totalErrors,
        callers.stream().mapToLong(RedisCaller::calls).sum(),
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
