package dev.tollgate.benchmarks;

import dev.tollgate.core.ClientKeys;
import dev.tollgate.core.HeaderSink;
import dev.tollgate.core.PlanResolver;
import dev.tollgate.core.RequestView;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What an adapter pays per request: {@link Tollgate#check} with the example applications'
 * configuration (clients by {@code X-Api-Key} else IP, {@code 100/1m, 10000/24h rolling}, a {@code
 * reports} endpoint rule, page size 20 up to 1000, IETF and TEOS headers), a request with an API
 * key and a {@code pageSize} parameter, and every header value handed to the response.
 *
 * <ul>
 *   <li>{@code admitted}: the quotas are raised so that every request is admitted (the common
 *       case): 10,000 distinct API keys in turn, each thread from its own random start.
 *   <li>{@code rejected}: the example's quotas, one API key: after its first 100 calls every call
 *       is answered 429 with a problem body.
 *   <li>{@code ip}: as {@code admitted}, but the clients have no API key and are told apart by
 *       10,000 distinct IPv4 addresses.
 *   <li>{@code charged}: as {@code admitted}, with a server-time budget ({@code 500h/1m time},
 *       which nobody exhausts) beside the two request limits: each request is also charged its time
 *       when the adapter completes it ({@link Verdict#complete}), the cost of a limit known after
 *       the response.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBenchmark {

  static final int CLIENTS = 10_000;

  /** One engine for every thread, as one engine serves a whole application. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"admitted", "rejected", "ip", "plans", "plans-resolver", "charged"})
    public String scenario;

    Tollgate tollgate;
    RequestView[] requests;
    boolean charged;

    @Setup(Level.Trial)
    public void setUp() {
      boolean rejecting = scenario.equals("rejected");
      charged = scenario.equals("charged");
      tollgate =
          Tollgate.create(
              scenario.startsWith("plans")
                  ? plansConfig(scenario.equals("plans-resolver"))
                  : charged ? chargedConfig() : exampleConfig(rejecting));
      int n = rejecting ? 1 : CLIENTS;
      String[] addresses = Keys.create(n);
      requests = new RequestView[n];
      for (int i = 0; i < n; i++) {
        String apiKey = scenario.equals("ip") ? null : "demo-key-" + (100_000 + i);
        requests[i] = new Request("/api/assets", apiKey, addresses[i], "50");
      }
      if (scenario.equals("plans-resolver")) {
        // Each client's first request waits for the resolver on the plans cache's two threads: a
        // start-up cost, paid here rather than in the warm-up (where, with the JIT on the same
        // core, it left the 10 s of run.sh's quick warm-up still far from the steady state).
        for (RequestView request : requests) {
          tollgate.check(request).release();
        }
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      tollgate.close();
    }
  }

  /** Each thread walks the clients from its own random start, and hands headers to its own sink. */
  @State(Scope.Thread)
  public static class Cursor {
    int at;
    HeaderSink sink;

    @Setup(Level.Trial)
    public void setUp(Blackhole headers) {
      at = ThreadLocalRandom.current().nextInt(CLIENTS);
      sink =
          (name, value) ->
              headers.consume(value); // an adapter makes its own per request (16 bytes)
    }

    int next(int n) {
      int i = at++;
      if (at >= n) {
        at = 0;
      }
      return i % n;
    }
  }

  @Benchmark
  public Object check(Shared shared, Cursor cursor) {
    Verdict verdict = shared.tollgate.check(shared.requests[cursor.next(shared.requests.length)]);
    verdict.writeHeaders(cursor.sink);
    if (shared.charged) {
      verdict.complete(200, 0); // as an adapter does once the response is written
    } else {
      verdict.release();
    }
    return verdict;
  }

  /** The example WARs' configuration; with {@code exampleQuotas} false, quotas nobody reaches. */
  static TollgateConfig exampleConfig(boolean exampleQuotas) {
    return TollgateConfig.parse(exampleProperties(exampleQuotas));
  }

  /** The examples' configuration, quotas nobody reaches, and no rate-limit headers. */
  static TollgateConfig exampleConfigWithoutHeaders() {
    Map<String, String> p = exampleProperties(false);
    p.put("headers.dialects", "none");
    return TollgateConfig.parse(p);
  }

  /** The examples' configuration, quotas nobody reaches, and a server-time budget. */
  static TollgateConfig chargedConfig() {
    Map<String, String> p = exampleProperties(false);
    p.put("limits", p.get("limits") + ", 500h/1m time");
    return TollgateConfig.parse(p);
  }

  private static Map<String, String> exampleProperties(boolean exampleQuotas) {
    Map<String, String> p = new HashMap<>();
    p.put("client.key", "header:X-Api-Key, ip");
    p.put(
        "limits",
        exampleQuotas ? "100/1m, 10000/24h rolling" : "2000000000/1m, 2000000000/24h rolling");
    p.put("page-size.default", "20");
    p.put("page-size.max", "1000");
    p.put("headers.dialects", "ietf, teos");
    p.put("rules.reports.path", "/api/reports");
    p.put("rules.reports.limits", exampleQuotas ? "10/1m" : "1000000000/1m");
    p.put("rules.reports.page-size.max", "100");
    p.put("status.path", "/api/rate_limit");
    p.put("store.max-clients", "100000");
    return p;
  }

  /**
   * The example configuration with two plans (quotas nobody reaches): one API key in a hundred on
   * pro by the static mapping, or every other key on pro by a cached application resolver.
   */
  static TollgateConfig plansConfig(boolean resolver) {
    Map<String, String> p = new HashMap<>();
    p.put("client.key", "header:X-Api-Key, ip");
    p.put("page-size.default", "20");
    p.put("page-size.max", "1000");
    p.put("headers.dialects", "ietf, teos");
    p.put("rules.reports.path", "/api/reports");
    p.put("rules.reports.limits", "1000000000/1m");
    p.put("rules.reports.page-size.max", "100");
    p.put("status.path", "/api/rate_limit");
    p.put("store.max-clients", "100000");
    p.put("plans.free.limits", "2000000000/1m, 2000000000/24h rolling");
    p.put("plans.pro.limits", "2000000001/1m, 2000000001/24h rolling");
    p.put("plans.default", "free");
    if (resolver) {
      p.put("plans.resolvers", "clients, class:" + EveryOtherKeyOnPro.class.getName());
      p.put("plans.cache.max-entries", "20000");
      p.put("plans.cache.ttl", "1h");
      p.put("plans.cache.refresh", "1h");
    } else {
      StringBuilder pro = new StringBuilder();
      for (int i = 0; i < CLIENTS; i += 100) {
        pro.append(pro.length() == 0 ? "" : ", ")
            .append(ClientKeys.hashed("key:", "demo-key-" + (100_000 + i)));
      }
      p.put("plans.pro.clients", pro.toString());
    }
    return TollgateConfig.parse(p);
  }

  /** An application's plan resolver: every other client key on pro. */
  public static final class EveryOtherKeyOnPro implements PlanResolver {
    @Override
    public String planOf(String clientKey) {
      return (clientKey.hashCode() & 1) == 0 ? "pro" : null;
    }
  }

  /**
   * A GET as an adapter presents it: an API-key header and a page-size parameter, each optional.
   */
  static final class Request implements RequestView {
    private final String path;
    private final String apiKey;
    private final String remoteAddress;
    private final List<String> pageSize;

    Request(String path, String apiKey, String remoteAddress, String pageSize) {
      this.path = path;
      this.apiKey = apiKey;
      this.remoteAddress = remoteAddress;
      this.pageSize = pageSize == null ? List.of() : List.of(pageSize);
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public String header(String name) {
      return apiKey != null && name.equalsIgnoreCase("X-Api-Key") ? apiKey : null;
    }

    @Override
    public List<String> headers(String name) {
      String value = header(name);
      return value == null ? List.of() : List.of(value);
    }

    @Override
    public String remoteAddress() {
      return remoteAddress;
    }

    @Override
    public String principalName() {
      return null;
    }

    @Override
    public List<String> parameterValues(String name) {
      return name.equals("pageSize") ? pageSize : List.of();
    }
  }
}
