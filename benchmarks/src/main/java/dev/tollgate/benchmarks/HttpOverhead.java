package dev.tollgate.benchmarks;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;

/**
 * What the adapters cost over HTTP: {@code HttpOverhead <quick|full>} serves a trivial endpoint on
 * embedded Jetty 12 (ee10) five ways in one server (a servlet, the servlet behind {@code
 * TollgateFilter}, the servlet behind Tomcat's {@code RateLimitFilter}, a Jersey resource, the
 * resource with {@code TollgateFeature}) and loads each in turn, round after round so that drift
 * hits all alike, from a Java client on the same machine ({@link HttpClient}, HTTP/1.1, a fixed
 * pool of threads each sending one request at a time), or wrk when it is on the PATH (preferred: it
 * needs far less CPU per request). The limit is set high enough that every request is admitted, so
 * the numbers are the cost of deciding and writing the headers, not of rejecting. The adapters are
 * loaded by name: a missing one is reported as such.
 *
 * <p>The server and its variants: {@link HttpVariants}; finding, running and reading wrk: {@link
 * Wrk}.
 */
public final class HttpOverhead {

  /**
   * The endpoint: like the examples' {@code /api/assets}, a JSON page of {@code pageSize} items.
   */
  public static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("application/json");
      resp.getWriter().write(page(req.getParameter("pageSize")));
    }
  }

  /** The same endpoint as a JAX-RS resource. */
  @Path("api/assets")
  public static final class HelloResource {
    @GET
    @Produces("application/json")
    public String hello(@QueryParam("pageSize") String pageSize) {
      return page(pageSize);
    }
  }

  /**
   * {@code {"page":1,"pageSize":n,"items":[{"id":1,"name":"asset 1"},...]}}, 20 items by default.
   */
  static String page(String pageSize) {
    int n = pageSize == null ? 20 : Integer.parseInt(pageSize);
    StringBuilder json =
        new StringBuilder(40 * n + 40)
            .append("{\"page\":1,\"pageSize\":")
            .append(n)
            .append(",\"items\":[");
    for (int i = 1; i <= n; i++) {
      json.append(i == 1 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"name\":\"asset ")
          .append(i)
          .append("\"}");
    }
    return json.append("]}").toString();
  }

  /** The API key every load generator sends: one client, as in the measurement. */
  static final String API_KEY = "demo-key-1";

  private static final int CONCURRENCY = 16;
  // The server's JIT compiles on the server's one core too: 5 s per variant left throughput still
  // climbing from 14k to 34k req/s through the rounds (2026-12-02), which favoured whichever
  // variant ran last. So: two warm-up passes over every variant, and each round starts with the
  // next variant.
  private static final int WARMUP_PASSES = 2;

  private final int rounds;
  private final Duration warmup;
  private final Duration measure;
  private final String wrk;
  private final HttpClient client;
  private final ExecutorService pool;

  private HttpOverhead(boolean full, String wrk) {
    this.rounds = full ? 7 : 5;
    this.warmup = Duration.ofSeconds(full ? 15 : 10);
    this.measure = Duration.ofSeconds(full ? 10 : 3);
    this.wrk = wrk;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2))
            .build();
    this.pool = Executors.newFixedThreadPool(CONCURRENCY);
  }

  public static void main(String[] args) throws Exception {
    boolean full = args.length > 0 && args[0].equals("full");
    // The server (this JVM, every thread) on core 0, the load generator on core 1: they no longer
    // compete for a core, so a variant's extra CPU per request shows as lost throughput.
    boolean pinned = Wrk.pin(ProcessHandle.current().pid(), "0");
    HttpVariants server =
        HttpVariants.start(
            EngineBenchmark.exampleConfig(false), EngineBenchmark.exampleConfigWithoutHeaders());
    HttpOverhead overhead = new HttpOverhead(full, Wrk.path());
    String generator = overhead.generator(pinned);
    Map<String, List<Load>> results = overhead.measureVariants(server);
    overhead.printSummary(generator, server.variants(), server.missing(), results);
    System.exit(0);
  }

  /** The load generator, as the summary names it. */
  private String generator(boolean pinned) {
    return wrk != null
        ? "wrk ("
            + wrk
            + "), 2 threads, "
            + CONCURRENCY
            + " connections, header `X-Api-Key`"
            + (pinned
                ? "; the server pinned to core 0 and wrk to core 1 (`taskset`)"
                : "; not pinned (no taskset)")
        : CONCURRENCY + " client threads of java.net.http (HTTP/1.1; wrk not found on the PATH)";
  }

  /**
   * Checks every variant once, warms them all up and loads them round after round; then stops the
   * server. Variant to its loads, one per round.
   */
  private Map<String, List<Load>> measureVariants(HttpVariants server) throws Exception {
    Map<String, List<Load>> results = new LinkedHashMap<>();
    List<String> variants = server.variants();
    try {
      for (String v : variants) {
        check(v, server.uri(v));
      }
      for (int pass = 1; pass <= WARMUP_PASSES; pass++) {
        for (String v : variants) {
          Load w = drive(server.uri(v), warmup);
          System.out.printf(Locale.ROOT, "warm-up %d %-15s %,10.0f req/s%n", pass, v, w.perSecond);
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (int i = 0; i < variants.size(); i++) {
          String v = variants.get((i + round - 1) % variants.size());
          Load l = drive(server.uri(v), measure);
          results.computeIfAbsent(v, k -> new ArrayList<>()).add(l);
          printRound(round, v, l);
        }
      }
    } finally {
      pool.shutdownNow();
      server.stop();
    }
    return results;
  }

  /** One request, as the load generator sends it: prints what came back; fails unless a 200. */
  private void check(String variant, URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(uri).header("X-Api-Key", API_KEY).build(),
            HttpResponse.BodyHandlers.ofString());
    System.out.println(
        "# "
            + variant
            + " -> "
            + r.statusCode()
            + " "
            + r.body().length()
            + " bytes "
            + r.headers().map().keySet().stream()
                .filter(h -> h.toLowerCase(Locale.ROOT).contains("ratelimit"))
                .toList());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(variant + " answered " + r.statusCode());
    }
  }

  /** Loads {@code uri} for {@code duration}, with wrk when there is one. */
  private Load drive(URI uri, Duration duration) throws Exception {
    return wrk != null
        ? Wrk.run(wrk, uri, CONCURRENCY, duration)
        : load(client, pool, uri, CONCURRENCY, duration);
  }

  private static void printRound(int round, String variant, Load l) {
    System.out.printf(
        Locale.ROOT,
        "round %d %-15s %,10.0f req/s  p50 %7.0f us  p99 %7.0f us  non-200 %d%n",
        round,
        variant,
        l.perSecond,
        l.p50Nanos / 1e3,
        l.p99Nanos / 1e3,
        l.errors);
  }

  /** The markdown section, between the markers {@code Suite} looks for. */
  private void printSummary(
      String generator,
      List<String> variants,
      Map<String, String> missing,
      Map<String, List<Load>> results) {
    System.out.println("SUMMARY-BEGIN");
    System.out.println(
        "## HTTP overhead (embedded Jetty " + Server.getVersion() + ", trivial endpoint)\n");
    printMethod(generator);
    System.out.println("| variant | req/s | p50 µs | p99 µs | cost vs without |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (String v : variants) {
      printRow(v, results);
    }
    for (Map.Entry<String, String> m : missing.entrySet()) {
      System.out.println("| " + m.getKey() + " | not measured: " + m.getValue() + " ||||");
    }
    System.out.println();
    System.out.println("SUMMARY-END");
  }

  private void printMethod(String generator) {
    System.out.printf(
        Locale.ROOT,
        "Load: %s, on the same machine over 127.0.0.1. "
            + "Endpoint: `GET /api/assets?pageSize=20`, a JSON page of 20 items (about 0.8 KB) like the examples'. "
            + "%d rounds of %d s per variant, interleaved (each round starts with the next variant), after "
            + "two warm-up passes of %d s over every variant; each figure is "
            + "the median over the rounds. Tollgate runs the examples' configuration (clients by `X-Api-Key` "
            + "else IP, two limits, an endpoint rule, page size, IETF and TEOS headers) with quotas no client "
            + "reaches, so every request is admitted and gets its headers; `servlet-filter-no-headers` is the same "
            + "with `headers.dialects=none`, which parts the filter's own cost from that of its five response headers "
            + "(about 250 bytes, formatted, set and sent); `servlet-tomcat` is Tomcat's "
            + "`RateLimitFilter` (per IP, also admitting everything, no headers). Cost: the throughput lost against the "
            + "same endpoint without a limiter in the same round, the median over the rounds (negative: within "
            + "noise).%n%n",
        generator,
        rounds,
        measure.toSeconds(),
        warmup.toSeconds());
  }

  /**
   * A variant's medians, and its lost throughput against the same endpoint without a limiter: taken
   * round by round (the two ran seconds apart) and the median of those given. This host's speed
   * shifts by as much as half for minutes at a time; a ratio of medians would charge such a shift
   * to whichever variant had more of its rounds on the slow side of it.
   */
  private static void printRow(String v, Map<String, List<Load>> results) {
    List<Load> ls = results.get(v);
    double tput = median(ls.stream().map(Load::perSecond).toList());
    String base = v.startsWith("servlet") ? "servlet" : "jaxrs";
    List<Load> baseLoads = results.get(base);
    String cost =
        v.equals(base) || baseLoads == null
            ? ""
            : String.format(Locale.ROOT, "%.1f%%", 100 * medianLoss(ls, baseLoads));
    System.out.printf(
        Locale.ROOT,
        "| %s | %,.0f | %.0f | %.0f | %s |%n",
        v,
        tput,
        median(ls.stream().map(l -> l.p50Nanos / 1e3).toList()),
        median(ls.stream().map(l -> l.p99Nanos / 1e3).toList()),
        cost);
  }

  /**
   * The throughput {@code loads} lost against {@code base}, as a fraction (0.1 for 10%): for each
   * round (both lists are indexed by round) {@code 1 - load / base}, then the median of those (the
   * upper of the two middle values for an even count).
   */
  static double medianLoss(List<Load> loads, List<Load> base) {
    if (loads.size() != base.size()) {
      throw new IllegalArgumentException(loads.size() + " rounds against " + base.size());
    }
    List<Double> losses = new ArrayList<>();
    for (int round = 0; round < loads.size(); round++) {
      losses.add(1 - loads.get(round).perSecond() / base.get(round).perSecond());
    }
    return median(losses);
  }

  record Load(double perSecond, double p50Nanos, double p99Nanos, long errors) {}

  /** {@code concurrency} threads send requests back to back for {@code duration}. */
  static Load load(
      HttpClient client, ExecutorService pool, URI uri, int concurrency, Duration duration)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).build();
    long end = System.nanoTime() + duration.toNanos();
    AtomicLong errors = new AtomicLong();
    List<Future<long[]>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      futures.add(
          pool.submit(
              () -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  HttpResponse<Void> r =
                      client.send(request, HttpResponse.BodyHandlers.discarding());
                  long t1 = System.nanoTime();
                  if (r.statusCode() != 200) {
                    errors.incrementAndGet();
                  }
                  if (n == lat.length) {
                    lat = Arrays.copyOf(lat, n * 2);
                  }
                  lat[n++] = t1 - t0;
                }
                return Arrays.copyOf(lat, n);
              }));
    }
    List<long[]> parts = new ArrayList<>();
    for (Future<long[]> f : futures) {
      parts.add(f.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all = concat(parts);
    return new Load(
        all.length / seconds, percentile(all, 0.50), percentile(all, 0.99), errors.get());
  }

  static long[] concat(List<long[]> parts) {
    long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    Arrays.sort(all);
    return all;
  }

  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  static double median(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v[v.length / 2];
  }
}
