package dev.tollgate.benchmarks;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * What the adapters cost over HTTP: {@code HttpOverhead <quick|full>} serves a trivial endpoint on
 * embedded Jetty 12 (ee10) four ways in one server (a servlet, the servlet behind {@code
 * TollgateFilter}, a Jersey resource, the resource with {@code TollgateFeature}) and loads each in
 * turn, round after round so that drift hits all alike, from a Java client on the same machine
 * ({@link HttpClient}, HTTP/1.1, a fixed pool of threads each sending one request at a time), or
 * wrk when it is on the PATH (preferred: it needs far less CPU per request). The limit is set high
 * enough that every request is admitted, so the numbers are the cost of deciding and writing the
 * headers, not of rejecting. The adapters are loaded by name: a missing one is reported as such.
 */
public final class HttpOverhead {

  private HttpOverhead() {}

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
    public String hello(@jakarta.ws.rs.QueryParam("pageSize") String pageSize) {
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

  public static void main(String[] args) throws Exception {
    boolean full = args.length > 0 && args[0].equals("full");
    int concurrency = 16;
    int rounds = full ? 7 : 5;
    // The server's JIT compiles on the server's one core too: 5 s per variant left throughput still
    // climbing from 14k to 34k req/s through the rounds (2026-12-02), which favoured whichever
    // variant ran last. So: two warm-up passes over every variant, and each round starts with the
    // next variant.
    int warmupPasses = 2;
    Duration warmup = Duration.ofSeconds(full ? 15 : 10);
    Duration measure = Duration.ofSeconds(full ? 10 : 3);
    // The server (this JVM, every thread) on core 0, the load generator on core 1: they no longer
    // compete for a core, so a variant's extra CPU per request shows as lost throughput.
    boolean pinned = pin(ProcessHandle.current().pid(), "0");

    TollgateConfig config = EngineBenchmark.exampleConfig(false);
    Map<String, String> missing = new LinkedHashMap<>();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new Hello()), "/servlet/api/assets");
    context.addServlet(new ServletHolder(new Hello()), "/servlet-filter/api/assets");
    context.addServlet(new ServletHolder(new Hello()), "/servlet-tomcat/api/assets");
    context.addServlet(
        new ServletHolder(new ServletContainer(new ResourceConfig(HelloResource.class))),
        "/jaxrs/*");
    List<String> variants = new ArrayList<>(List.of("servlet", "jaxrs"));
    Tollgate forFilter = Tollgate.create(config);
    Tollgate forFeature = Tollgate.create(config);
    try {
      Filter filter =
          (Filter)
              Class.forName("dev.tollgate.servlet.TollgateFilter")
                  .getConstructor(Tollgate.class)
                  .newInstance(forFilter);
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      context.addFilter(holder, "/servlet-filter/*", EnumSet.of(DispatcherType.REQUEST));
      variants.add(1, "servlet-filter");
    } catch (ReflectiveOperationException | LinkageError e) {
      missing.put("servlet-filter", e.toString());
    }
    // Tomcat's own limiter, the peer: one fixed-window counter per client IP.
    FilterHolder tomcat = new FilterHolder(new org.apache.catalina.filters.RateLimitFilter());
    tomcat.setInitParameter(
        "bucketRequests", "100000000"); // Tomcat scales it to its rounded window: keep it in an int
    tomcat.setInitParameter("bucketDuration", "60");
    context.addFilter(tomcat, "/servlet-tomcat/*", EnumSet.of(DispatcherType.REQUEST));
    variants.add(variants.indexOf("servlet") + 1, "servlet-tomcat");
    try {
      Object feature =
          Class.forName("dev.tollgate.jaxrs.TollgateFeature")
              .getConstructor(Tollgate.class)
              .newInstance(forFeature);
      context.addServlet(
          new ServletHolder(
              new ServletContainer(new ResourceConfig(HelloResource.class).register(feature))),
          "/jaxrs-provider/*");
      variants.add("jaxrs-provider");
    } catch (ReflectiveOperationException | LinkageError e) {
      missing.put("jaxrs-provider", e.toString());
    }
    // -Dtollgate.http.only=servlet-filter loads one variant alone, e.g. under a profiler.
    String only = System.getProperty("tollgate.http.only");
    if (only != null) {
      variants.retainAll(List.of(only.split(",")));
    }
    server.setHandler(context);
    server.start();
    int port = connector.getLocalPort();

    String wrk = wrkPath();
    String generator =
        wrk != null
            ? "wrk ("
                + wrk
                + "), 2 threads, "
                + concurrency
                + " connections, header `X-Api-Key`"
                + (pinned
                    ? "; the server pinned to core 0 and wrk to core 1 (`taskset`)"
                    : "; not pinned (no taskset)")
            : concurrency
                + " client threads of java.net.http (HTTP/1.1; wrk not found on the PATH)";
    Map<String, List<Load>> results = new LinkedHashMap<>();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2))
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      for (String v : variants) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/" + v + "/api/assets?pageSize=20");
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(uri).header("X-Api-Key", API_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(
            "# "
                + v
                + " -> "
                + r.statusCode()
                + " "
                + r.body().length()
                + " bytes "
                + r.headers().map().keySet().stream()
                    .filter(h -> h.toLowerCase(Locale.ROOT).contains("ratelimit"))
                    .toList());
        if (r.statusCode() != 200) {
          throw new IllegalStateException(v + " answered " + r.statusCode());
        }
      }
      for (int pass = 1; pass <= warmupPasses; pass++) {
        for (String v : variants) {
          URI uri = URI.create("http://127.0.0.1:" + port + "/" + v + "/api/assets?pageSize=20");
          Load w =
              wrk != null
                  ? wrk(wrk, uri, concurrency, warmup)
                  : load(client, pool, uri, concurrency, warmup);
          System.out.printf(Locale.ROOT, "warm-up %d %-15s %,10.0f req/s%n", pass, v, w.perSecond);
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (int i = 0; i < variants.size(); i++) {
          String v = variants.get((i + round - 1) % variants.size());
          URI uri = URI.create("http://127.0.0.1:" + port + "/" + v + "/api/assets?pageSize=20");
          Load l =
              wrk != null
                  ? wrk(wrk, uri, concurrency, measure)
                  : load(client, pool, uri, concurrency, measure);
          results.computeIfAbsent(v, k -> new ArrayList<>()).add(l);
          System.out.printf(
              Locale.ROOT,
              "round %d %-15s %,10.0f req/s  p50 %7.0f us  p99 %7.0f us  non-200 %d%n",
              round,
              v,
              l.perSecond,
              l.p50Nanos / 1e3,
              l.p99Nanos / 1e3,
              l.errors);
        }
      }
    } finally {
      pool.shutdownNow();
      server.stop();
      forFilter.close();
      forFeature.close();
    }

    System.out.println("SUMMARY-BEGIN");
    System.out.println(
        "## HTTP overhead (embedded Jetty " + Server.getVersion() + ", trivial endpoint)\n");
    System.out.printf(
        Locale.ROOT,
        "Load: %s, on the same machine over 127.0.0.1. "
            + "Endpoint: `GET /api/assets?pageSize=20`, a JSON page of 20 items (about 0.8 KB) like the examples'. "
            + "%d rounds of %d s per variant, interleaved (each round starts with the next variant), after "
            + "two warm-up passes of %d s over every variant; each figure is "
            + "the median over the rounds. Tollgate runs the examples' configuration (clients by `X-Api-Key` "
            + "else IP, two limits, an endpoint rule, page size, IETF and TEOS headers) with quotas no client "
            + "reaches, so every request is admitted and gets its headers; `servlet-tomcat` is Tomcat's "
            + "`RateLimitFilter` (per IP, also admitting everything). Cost: the throughput lost against the "
            + "same endpoint without a limiter (negative: within noise).%n%n",
        generator,
        rounds,
        measure.toSeconds(),
        warmup.toSeconds());
    System.out.println("| variant | req/s | p50 µs | p99 µs | cost vs without |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (String v : variants) {
      List<Load> ls = results.get(v);
      double tput = median(ls.stream().map(Load::perSecond).toList());
      String base = v.startsWith("servlet") ? "servlet" : "jaxrs";
      List<Load> baseLoads = results.get(base);
      String cost =
          v.equals(base) || baseLoads == null
              ? ""
              : String.format(
                  Locale.ROOT,
                  "%.1f%%",
                  100 * (1 - tput / median(baseLoads.stream().map(Load::perSecond).toList())));
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %.0f | %.0f | %s |%n",
          v,
          tput,
          median(ls.stream().map(l -> l.p50Nanos / 1e3).toList()),
          median(ls.stream().map(l -> l.p99Nanos / 1e3).toList()),
          cost);
    }
    for (Map.Entry<String, String> m : missing.entrySet()) {
      System.out.println("| " + m.getKey() + " | not measured: " + m.getValue() + " ||||");
    }
    System.out.println();
    System.out.println("SUMMARY-END");
    System.exit(0);
  }

  record Load(double perSecond, double p50Nanos, double p99Nanos, long errors) {}

  /** wrk on the PATH, or null. */
  static String wrkPath() {
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
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      java.nio.file.Path p = java.nio.file.Path.of(dir, command);
      if (java.nio.file.Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** One wrk run: {@code wrk -t2 -c<concurrency> -d<s>s --latency <uri>}, its output echoed. */
  static Load wrk(String wrk, URI uri, int concurrency, Duration duration) throws Exception {
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
            "X-Api-Key: " + API_KEY,
            uri.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
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
