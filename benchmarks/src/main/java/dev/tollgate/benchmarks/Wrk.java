package dev.tollgate.benchmarks;

import dev.tollgate.benchmarks.HttpOverhead.Load;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link HttpOverhead}'s preferred load generator: finding wrk (and taskset, to keep it off the
 * server's core), running it and reading its report.
 */
final class Wrk {

  private Wrk() {}

  /** wrk on the PATH, or null. */
  static String path() {
    return onPath("wrk");
  }

  static String tasksetPath() {
    return onPath("taskset");
  }

  /**
   * Pins every thread of process {@code pid} to {@code cores}; false if taskset is missing or
   * fails.
   */
  static boolean pin(long pid, String cores) throws Exception {
    if (tasksetPath() == null || Runtime.getRuntime().availableProcessors() < 2) {
      return false;
    }
    Process p =
        new ProcessBuilder(tasksetPath(), "-a", "-p", "-c", cores, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  static String onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /**
   * One wrk run: {@code wrk -t2 -c<concurrency> -d<s>s --latency <uri>}, on core 1 when there is
   * taskset; its report read by {@link #parse}.
   */
  static Load run(String wrk, URI uri, int concurrency, Duration duration) throws Exception {
    List<String> command = new ArrayList<>();
    if (tasksetPath() != null) {
      command.addAll(List.of(tasksetPath(), "-c", "1"));
    }
    command.addAll(
        List.of(
            wrk,
            "-t2",
            "-c" + concurrency,
            "-d" + duration.toSeconds() + "s",
            "--latency",
            "-H",
            "X-Api-Key: " + HttpOverhead.API_KEY,
            uri.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return parse(out);
  }

  /** The rate, p50 and p99 and non-2xx/3xx count of wrk's {@code --latency} report. */
  static Load parse(String out) {
    double rps = Double.NaN;
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    long errors = 0;
    for (String line : out.split("\n")) {
      String t = line.trim();
      String[] f = t.split("\\s+");
      if (t.startsWith("Requests/sec:")) {
        rps = Double.parseDouble(f[1]);
      } else if (t.startsWith("50%")) {
        p50 = nanos(f[1]);
      } else if (t.startsWith("99%")) {
        p99 = nanos(f[1]);
      } else if (t.startsWith("Non-2xx or 3xx responses:")) {
        errors = Long.parseLong(f[f.length - 1]);
      }
    }
    if (Double.isNaN(rps)) {
      throw new IllegalStateException("wrk printed no rate:\n" + out);
    }
    return new Load(rps, p50, p99, errors);
  }

  /** wrk's durations: {@code 812.00us}, {@code 1.23ms}, {@code 2.00s}. */
  static double nanos(String value) {
    if (value.endsWith("us")) {
      return Double.parseDouble(value.substring(0, value.length() - 2)) * 1e3;
    } else if (value.endsWith("ms")) {
      return Double.parseDouble(value.substring(0, value.length() - 2)) * 1e6;
    } else if (value.endsWith("s")) {
      return Double.parseDouble(value.substring(0, value.length() - 1)) * 1e9;
    }
    throw new IllegalArgumentException("not a wrk duration: " + value);
  }
}
