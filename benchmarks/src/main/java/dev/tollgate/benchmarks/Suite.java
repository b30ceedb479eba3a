package dev.tollgate.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark of one mode and writes the summary table: {@code Suite <quick|full>
 * <summary.md> [parts]}, parts being a comma-separated subset of {@code
 * decisions,memory,http,redis} (all by default). The raw output of every part goes to standard
 * output; {@code run.sh} keeps it in the results file.
 */
public final class Suite {

  static final int[] THREADS = {1, 2, 4};

  // Where a run's figures sit in the decision tables' arrays.
  private static final int AVERAGE = 0;
  private static final int ERROR = 1;
  private static final int FASTEST = 2;

  private final boolean full;
  private final StringBuilder summary = new StringBuilder();

  private Suite(boolean full) {
    this.full = full;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !(args[0].equals("quick") || args[0].equals("full"))) {
      System.err.println("usage: Suite <quick|full> <summary.md> [decisions,memory,http,redis]");
      System.exit(2);
    }
    Suite suite = new Suite(args[0].equals("full"));
    List<String> parts =
        List.of((args.length > 2 ? args[2] : "decisions,memory,http,redis").split(","));
    if (parts.contains("decisions")) {
      suite.decisions();
    }
    if (parts.contains("memory")) {
      suite.memory();
    }
    if (parts.contains("http")) {
      suite.child("http", HttpOverhead.class.getName(), suite.full ? "full" : "quick");
    }
    if (parts.contains("redis")) {
      suite.child("redis", RedisBenchmark.class.getName(), suite.full ? "full" : "quick");
    }
    Files.writeString(Path.of(args[1]), suite.summary.toString(), StandardCharsets.UTF_8);
  }

  /** The JMH decision benchmarks at 1, 2 and 4 threads, and the table of ns per decision. */
  private void decisions() throws RunnerException {
    // contender -> scenario/threads -> {AVERAGE, ERROR, FASTEST}
    Map<String, Map<String, double[]>> scores = new LinkedHashMap<>();
    // contender -> scenario -> bytes allocated per decision, one thread
    Map<String, Map<String, Double>> bytes = new LinkedHashMap<>();
    for (int threads : THREADS) {
      runDecisions(threads, scores, bytes);
    }
    appendDecisionCosts(scores);
    appendFastestDecisions(scores);
    appendDecisionAllocations(bytes);
    double[] bucket4jHot = scores.getOrDefault("bucket4j", Map.of()).get("hot/1");
    engine(bucket4jHot == null ? new double[] {Double.NaN, Double.NaN, Double.NaN} : bucket4jHot);
  }

  /**
   * {@link DecisionBenchmark} at {@code threads} threads, every contender and scenario: adds the
   * scores to {@code scores} and, at one thread, the bytes per decision to {@code bytes}.
   */
  private void runDecisions(
      int threads,
      Map<String, Map<String, double[]>> scores,
      Map<String, Map<String, Double>> bytes)
      throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(DecisionBenchmark.class.getName() + ".decide")
            .param("contender", Contenders.ALL.toArray(new String[0]))
            .param("scenario", "hot", "zipf")
            .threads(threads)
            .jvmArgs(heapTouchedFirst("3g"))
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true);
    timing(options, pinOneThread(options, threads) ? PINNED_WARMUPS : 2, 1);
    for (RunResult r : new Runner(options.build()).run()) {
      String contender = r.getParams().getParam("contender");
      String column = r.getParams().getParam("scenario") + "/" + threads;
      scores
          .computeIfAbsent(contender, k -> new LinkedHashMap<>())
          .put(
              column,
              new double[] {
                r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(), fastest(r)
              });
      if (threads == 1) {
        bytes
            .computeIfAbsent(contender, k -> new LinkedHashMap<>())
            .put(r.getParams().getParam("scenario"), allocated(r));
      }
    }
  }

  /** The table of ns per decision: ours with its error, the others with their ratio to ours. */
  private void appendDecisionCosts(Map<String, Map<String, double[]>> scores) {
    List<String> columns = new ArrayList<>();
    for (String scenario : List.of("hot", "zipf")) {
      for (int t : THREADS) {
        columns.add(scenario + "/" + t);
      }
    }
    summary
        .append("## Decision cost (ns per decision per thread; lower is better)\n\n")
        .append(
            "Average time per call, each thread. `hot`: one key; `zipf`: 1,000,000 keys drawn from "
                + "Zipf(s=1.0). `/n`: n threads sharing one limiter; `/1` pinned to one core where `taskset` is "
                + "found (the JVM's compiler and collector on the same core), after 5 warm-up iterations. In brackets: the contender's time divided "
                + "by ours (`tollgate`), so above 1.00x means we are faster.\n\n")
        .append("| contender |");
    for (String c : columns) {
      summary.append(' ').append(c).append(" |");
    }
    summary.append("\n|---|");
    summary.append("---:|".repeat(columns.size())).append('\n');
    Map<String, double[]> ours = scores.getOrDefault("tollgate", Map.of());
    for (Map.Entry<String, Map<String, double[]>> e : scores.entrySet()) {
      appendDecisionCostRow(e.getKey(), e.getValue(), ours, columns, AVERAGE);
    }
    summary.append('\n');
  }

  /**
   * One contender's row of {@code figure} ({@link #AVERAGE}, ours with its error, or {@link
   * #FASTEST}), the others with their ratio to ours.
   */
  private void appendDecisionCostRow(
      String contender,
      Map<String, double[]> scores,
      Map<String, double[]> ours,
      List<String> columns,
      int figure) {
    summary.append("| ").append(contender).append(" |");
    for (String column : columns) {
      double[] s = scores.get(column);
      double[] o = ours.get(column);
      if (s == null) {
        summary.append(" – |");
      } else if (contender.equals("tollgate") || o == null) {
        summary.append(
            figure == AVERAGE
                ? String.format(Locale.ROOT, " %.0f ± %.0f |", s[AVERAGE], s[ERROR])
                : String.format(Locale.ROOT, " %.0f |", s[figure]));
      } else {
        summary.append(
            String.format(Locale.ROOT, " %.0f (%.2fx) |", s[figure], s[figure] / o[figure]));
      }
    }
    summary.append('\n');
  }

  /** The one-thread columns again, from each run's fastest measured iteration. */
  private void appendFastestDecisions(Map<String, Map<String, double[]>> scores) {
    summary
        .append(
            "The same one-thread runs, each by its fastest measured iteration (ns per decision): on a"
                + " shared machine other work only adds time, so this is the least disturbed figure of"
                + " each run. In brackets as above.\n\n")
        .append("| contender | hot/1 | zipf/1 |\n|---|---:|---:|\n");
    Map<String, double[]> ours = scores.getOrDefault("tollgate", Map.of());
    for (Map.Entry<String, Map<String, double[]>> e : scores.entrySet()) {
      appendDecisionCostRow(e.getKey(), e.getValue(), ours, List.of("hot/1", "zipf/1"), FASTEST);
    }
    summary.append('\n');
  }

  /** The table of bytes allocated per decision, one thread. */
  private void appendDecisionAllocations(Map<String, Map<String, Double>> bytes) {
    summary
        .append(
            "Bytes allocated per decision, one thread (JMH `-prof gc`, `gc.alloc.rate.norm`):\n\n")
        .append("| contender | hot | zipf |\n|---|---:|---:|\n");
    for (Map.Entry<String, Map<String, Double>> e : bytes.entrySet()) {
      summary.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f |%n",
              e.getKey(),
              e.getValue().getOrDefault("hot", Double.NaN),
              e.getValue().getOrDefault("zipf", Double.NaN)));
    }
    summary.append('\n');
  }

  /**
   * {@link EngineBenchmark}: what an adapter pays per request with the examples' configuration, at
   * one and two threads, against Bucket4j's bare decision on one hot key from the same run.
   */
  private void engine(double[] bucket4jHot) throws RunnerException {
    summary
        .append("## The whole engine (`Tollgate.check`, the examples' configuration)\n\n")
        .append(
            "What an adapter pays per request: clients by `X-Api-Key` else IP, `100/1m, 10000/24h rolling`, "
                + "a `reports` endpoint rule, page size 20 up to 1000, IETF and TEOS headers, every header value "
                + "handed on. `admitted`: quotas raised so every request is admitted, 10,000 API keys in turn; "
                + "`rejected`: the example's quotas on one API key, so every call is a 429 with a problem body; "
                + "`ip`: as `admitted`, clients told apart by 10,000 IPv4 addresses; `plans`: two plans, one key in "
                + "a hundred on pro by the static mapping; `plans-resolver`: every other key on pro by a cached "
                + "application resolver; `charged`: as `admitted` with a `500h/1m time` budget beside the request "
                + "limits, each request completed and charged its time as an adapter does. One thread: pinned to one core "
                + "as above. Ratio: our time divided by "
                + "Bucket4j's bare decision on one hot key, measured above in the same run; `fastest`: "
                + "each run's fastest measured iteration, and its ratio to Bucket4j's fastest (the "
                + "least disturbed figures, as above).\n\n")
        .append(
            "| scenario | threads | ns per request | bytes per request | vs Bucket4j hot/1 |"
                + " fastest ns | fastest vs Bucket4j |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int threads : new int[] {1, 2}) {
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .include(EngineBenchmark.class.getName() + ".check")
              .threads(threads)
              .jvmArgs(heapTouchedFirst("1g"))
              .addProfiler(GCProfiler.class)
              .shouldFailOnError(true);
      timing(options, pinOneThread(options, threads) ? PINNED_WARMUPS : 3, 2);
      for (RunResult r : new Runner(options.build()).run()) {
        double ns = r.getPrimaryResult().getScore();
        double fastest = fastest(r);
        summary.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.0f ± %.0f | %.0f | %.2fx | %.0f | %.2fx |%n",
                r.getParams().getParam("scenario"),
                threads,
                ns,
                r.getPrimaryResult().getScoreError(),
                allocated(r),
                ns / bucket4jHot[AVERAGE],
                fastest,
                fastest / bucket4jHot[FASTEST]));
      }
    }
    summary.append('\n');
  }

  /**
   * Warm-up iterations of a quick run pinned to one core: the JIT compiles on the benchmark's own
   * core there, which took about 4 s before the times settled (one-thread runs on this project's
   * 2-core machines: about 200 ns per decision in the first 4 iterations of 1 s, then 55-60).
   */
  private static final int PINNED_WARMUPS = 5;

  /**
   * A fixed heap of the given size, its pages touched at start-up: without that, two threads that
   * allocate on one hot key spent the measured seconds faulting in the fresh heap's pages (ours and
   * Bucket4j's hot/2 took 175-262 ns per decision with {@code -Xms3g} alone, 62-67 with it
   * pre-touched or with only {@code -Xmx3g}).
   */
  private static String[] heapTouchedFirst(String size) {
    return new String[] {"-Xms" + size, "-Xmx" + size, "-XX:+AlwaysPreTouch"};
  }

  /**
   * Pins the forked JVM of a one-thread benchmark to core 0 ({@code taskset}), as the HTTP runs pin
   * their server: left to the scheduler on a shared 2-core machine, a single benchmark thread was
   * measured at 60 ns per decision in one iteration and 370 ns a few iterations later, for peers
   * and ours alike. Runs with more threads need both cores and are left unpinned.
   *
   * @return true if pinned
   */
  private static boolean pinOneThread(ChainedOptionsBuilder options, int threads) {
    String taskset = Wrk.tasksetPath();
    if (threads != 1 || taskset == null || Runtime.getRuntime().availableProcessors() < 2) {
      return false;
    }
    try {
      Path launcher = Files.createTempFile("tollgate-jmh-pinned-", ".sh");
      launcher.toFile().deleteOnExit();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Files.writeString(launcher, "#!/bin/sh\nexec " + taskset + " -c 0 " + java + " \"$@\"\n");
      if (!launcher.toFile().setExecutable(true)) {
        return false;
      }
      options.jvm(launcher.toString());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Full mode: 3 forks, 5 x 2 s warm-up, 10 x 2 s measured; quick: one fork, 3 measured iterations.
   */
  private void timing(ChainedOptionsBuilder options, int quickWarmups, int quickSeconds) {
    if (full) {
      options
          .forks(3)
          .warmupIterations(5)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(10)
          .measurementTime(TimeValue.seconds(2));
    } else {
      options
          .forks(1)
          .warmupIterations(quickWarmups)
          .warmupTime(TimeValue.seconds(quickSeconds))
          .measurementIterations(3)
          .measurementTime(TimeValue.seconds(quickSeconds));
    }
  }

  /** The fastest measured iteration of every fork (time per operation), NaN if none. */
  private static double fastest(RunResult r) {
    double min = Double.NaN;
    for (BenchmarkResult b : r.getBenchmarkResults()) {
      for (IterationResult i : b.getIterationResults()) {
        double score = i.getPrimaryResult().getScore();
        if (Double.isNaN(min) || score < min) {
          min = score;
        }
      }
    }
    return min;
  }

  /** Bytes allocated per operation, from the GC profiler. */
  private static double allocated(RunResult r) {
    var norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
    return norm == null ? Double.NaN : norm.getScore();
  }

  /** Memory per tracked client, one fresh JVM per contender. */
  private void memory() throws IOException, InterruptedException {
    int clients = full ? 1_000_000 : 100_000;
    appendMemoryHeader(clients);
    Double ours = null;
    for (String name : Contenders.ALL) {
      List<String> lines =
          runJava(
              MemoryFootprint.class.getName(),
              List.of(name, Integer.toString(clients)),
              List.of("-Xms4g", "-Xmx4g", "-Djol.magicFieldOffset=true"));
      String line = lines.stream().filter(l -> l.startsWith("MEMORY ")).findFirst().orElse(null);
      if (line == null) {
        summary.append("| ").append(name).append(" | failed, see the raw output |||||\n");
        continue;
      }
      double heap = Double.parseDouble(field(line, "heapBytesPerClient"));
      String jol = field(line, "jolBytesPerClient");
      int limits = name.equals("tollgate-2limits") ? 2 : 1;
      if (name.equals("tollgate")) {
        ours = heap;
      }
      summary.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.0f | %.0f | %s | %.0f | %s |%n",
              name,
              limits,
              heap,
              heap / limits,
              jol,
              heap * 1_000_000 / 1e6,
              ours == null || name.equals("tollgate")
                  ? ""
                  : String.format(Locale.ROOT, "%.2fx", heap / ours)));
    }
    summary.append('\n');
  }

  private void appendMemoryHeader(int clients) {
    summary
        .append("## Memory per tracked client (bytes; lower is better)\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "%,d clients, one call each, in a fresh JVM per contender. `heap`: growth "
                    + "of the used heap after full GCs; `JOL`: the limiter's object graph (quick mode only). The "
                    + "caller's key strings are not counted. Ratio: the contender's heap bytes divided by ours.%n%n",
                clients))
        .append(
            "| contender | limits | heap bytes/client | bytes/client/limit | JOL bytes/client | MB for 1M clients | vs ours |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
  }

  /** Runs a part in its own JVM; it prints its own markdown section between markers. */
  private void child(String part, String mainClass, String mode)
      throws IOException, InterruptedException {
    // Pre-touched as the JMH forks are: the HTTP rounds' server allocates from its first request.
    List<String> lines = runJava(mainClass, List.of(mode), List.of(heapTouchedFirst("1g")));
    boolean in = false;
    boolean any = false;
    for (String l : lines) {
      if (l.equals("SUMMARY-BEGIN")) {
        in = true;
      } else if (l.equals("SUMMARY-END")) {
        in = false;
      } else if (in) {
        summary.append(l).append('\n');
        any = true;
      }
    }
    if (!any) {
      summary
          .append("## ")
          .append(part)
          .append("\n\nThe ")
          .append(part)
          .append(" part printed no summary; see the raw output.\n\n");
    }
  }

  private static String field(String line, String name) {
    for (String f : line.split(" ")) {
      if (f.startsWith(name + "=")) {
        return f.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException(name + " not in " + line);
  }

  /** Runs a main class on this classpath, echoing its output, and returns the lines. */
  private static List<String> runJava(String mainClass, List<String> args, List<String> jvmArgs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    System.out.println(
        "# "
            + String.join(" ", command.subList(0, command.indexOf("-cp")))
            + " -cp <classpath> "
            + mainClass
            + " "
            + String.join(" ", args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        System.out.println(l);
        lines.add(l);
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    return lines;
  }
}
