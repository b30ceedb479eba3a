package dev.tollgate.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.store.BucketSpec;
import dev.tollgate.core.store.InMemoryStore;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.util.FastRateLimiter;

/**
 * The contenders by name. Each is built the usual way for its library: the peers keep one limiter
 * per key in a {@link ConcurrentHashMap} filled with {@code computeIfAbsent} (resilience4j in its
 * own registry, Tomcat in its own counter map); ours keeps its states in {@link InMemoryStore}.
 */
final class Contenders {

  /** Every contender, ours first. */
  static final List<String> ALL =
      List.of(
          "tollgate",
          "tollgate-2limits",
          "tollgate-engine",
          "bucket4j",
          "resilience4j",
          "guava",
          "tomcat");

  /** The contenders that do the same single-limit keyed work as {@code tollgate}. */
  static final List<String> PEERS = List.of("bucket4j", "resilience4j", "guava", "tomcat");

  static final int QUOTA = 100;
  static final Duration WINDOW = Duration.ofMinutes(1);

  private Contenders() {}

  /**
   * Creates contender {@code name} for {@code keys}; per-key objects that a real caller would
   * already hold (our {@link BucketSpec} and client arrays) are built here, outside any
   * measurement.
   */
  static Contender create(String name, String[] keys) {
    return create(name, keys, Clock.system());
  }

  /** As {@link #create(String, String[])}, with our contenders on {@code clock} (for tests). */
  static Contender create(String name, String[] keys, Clock clock) {
    switch (name) {
      case "tollgate":
        return new Ours(keys, List.of(Limit.of(QUOTA, WINDOW)), clock);
      case "tollgate-2limits":
        return new Ours(
            keys, List.of(Limit.of(QUOTA, WINDOW), Limit.parse("10000/24h rolling")), clock);
      case "tollgate-engine":
        return new Engine(keys, clock);
      case "bucket4j":
        return new Bucket4j(keys);
      case "resilience4j":
        return new Resilience4j(keys);
      case "guava":
        return new Guava(keys);
      case "tomcat":
        return new Tomcat(keys);
      default:
        throw new IllegalArgumentException("unknown contender " + name + "; known: " + ALL);
    }
  }

  /**
   * Our store, called as the engine calls it: the default rule's bucket (prepared once, like the
   * engine's compiled configuration) for one client key, the answer written into a fresh array.
   */
  static final class Ours implements Contender {
    private final InMemoryStore store;
    private final BucketSpec[] spec;
    private final String[][] clients;
    private final int usageLength;

    Ours(String[] keys, List<Limit> limits, Clock clock) {
      // Large enough to hold every key, like the peers' unbounded maps.
      store = InMemoryStore.create(Math.max(keys.length, 1), clock);
      spec = new BucketSpec[] {new BucketSpec("default", limits, false)};
      usageLength = InMemoryStore.usageLength(spec);
      clients = new String[keys.length][];
      for (int i = 0; i < keys.length; i++) {
        clients[i] = new String[] {keys[i]};
      }
    }

    @Override
    public boolean tryAcquire(int key) {
      return store.acquire(spec, clients[key], 1, new long[usageLength]);
    }

    @Override
    public Object retained() {
      return store;
    }
  }

  /**
   * The full engine, as an adapter calls it: rule matching, client identification by IP, the store,
   * and the response headers (IETF dialect).
   */
  static final class Engine implements Contender {
    private final Tollgate tollgate;
    private final String[] keys;

    Engine(String[] keys, Clock clock) {
      this.keys = keys;
      TollgateConfig config =
          TollgateConfig.parse(
              Map.of(
                  "limits",
                  QUOTA + "/1m",
                  "client.key",
                  "ip",
                  "store.max-clients",
                  Integer.toString(Math.max(keys.length, 1))));
      tollgate =
          Tollgate.builder(config)
              .clock(clock)
              .store(InMemoryStore.create(Math.max(keys.length, 1), clock))
              .build();
    }

    @Override
    public boolean tryAcquire(int key) {
      return tollgate
          .check(new EngineBenchmark.Request("/api/items", null, keys[key], null))
          .proceed();
    }

    @Override
    public Object retained() {
      return tollgate;
    }

    @Override
    public void close() {
      tollgate.close();
    }
  }

  /** Bucket4j's local lock-free bucket, capacity 100 refilled all at once every minute. */
  static final class Bucket4j implements Contender {
    private final ConcurrentHashMap<String, io.github.bucket4j.Bucket> buckets =
        new ConcurrentHashMap<>();
    private final String[] keys;

    Bucket4j(String[] keys) {
      this.keys = keys;
    }

    @Override
    public boolean tryAcquire(int key) {
      return buckets
          .computeIfAbsent(
              keys[key],
              k ->
                  io.github.bucket4j.Bucket.builder()
                      .addLimit(limit -> limit.capacity(QUOTA).refillIntervally(QUOTA, WINDOW))
                      .build())
          .tryConsume(1);
    }

    @Override
    public Object retained() {
      return buckets;
    }
  }

  /** resilience4j's default (Atomic) rate limiter: 100 permits per 1-minute cycle, no waiting. */
  static final class Resilience4j implements Contender {
    private final RateLimiterRegistry registry =
        RateLimiterRegistry.of(
            RateLimiterConfig.custom()
                .limitForPeriod(QUOTA)
                .limitRefreshPeriod(WINDOW)
                .timeoutDuration(Duration.ZERO)
                .build());
    private final String[] keys;

    Resilience4j(String[] keys) {
      this.keys = keys;
    }

    @Override
    public boolean tryAcquire(int key) {
      return registry.rateLimiter(keys[key]).acquirePermission();
    }

    @Override
    public Object retained() {
      return registry;
    }
  }

  /**
   * Guava's SmoothBursty limiter at 100 per 60 s, {@code tryAcquire()} without waiting. Guava has
   * no public way to allow a burst of the whole quota: it stores at most one second of permits, so
   * it admits about 1.7 requests per second rather than 100 at once. The per-call work (a keyed
   * lookup and a non-blocking decision) is the same, the policy is not.
   */
  static final class Guava implements Contender {
    private final ConcurrentHashMap<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    private final String[] keys;
    private static final double PERMITS_PER_SECOND = QUOTA / (double) WINDOW.toSeconds();

    Guava(String[] keys) {
      this.keys = keys;
    }

    @Override
    @SuppressWarnings("UnstableApiUsage")
    public boolean tryAcquire(int key) {
      return limiters
          .computeIfAbsent(keys[key], k -> RateLimiter.create(PERMITS_PER_SECOND))
          .tryAcquire();
    }

    @Override
    public Object retained() {
      return limiters;
    }
  }

  /**
   * The limiter behind Tomcat's {@code RateLimitFilter}: {@link FastRateLimiter}, a fixed window
   * counter per key in one map, as the filter uses it ({@code increment(ip) <= requests}). Tomcat
   * rounds the window up to a power of two milliseconds (60 s becomes 65.536 s) and scales the
   * quota with it ({@link FastRateLimiter#getRequests()} is the scaled quota, 109 for 100/60 s).
   */
  static final class Tomcat implements Contender {
    private final FastRateLimiter limiter = new FastRateLimiter();
    private final String[] keys;
    private final int requests;

    Tomcat(String[] keys) {
      this.keys = keys;
      limiter.setDuration((int) WINDOW.toSeconds());
      limiter.setRequests(QUOTA);
      limiter.setFilterConfig(filterConfig());
      // What RateLimitFilter compares with: the quota scaled to the actual window.
      requests = limiter.getRequests();
    }

    @Override
    public boolean tryAcquire(int key) {
      return limiter.increment(keys[key]) <= requests;
    }

    int requests() {
      return requests;
    }

    @Override
    public Object retained() {
      return limiter.getBucketCounter();
    }

    @Override
    public void close() {
      limiter.destroy();
    }

    /**
     * A filter config whose servlet context has no shared executor, so the limiter makes its own.
     */
    private static FilterConfig filterConfig() {
      ServletContext context =
          (ServletContext)
              Proxy.newProxyInstance(
                  Contenders.class.getClassLoader(),
                  new Class<?>[] {ServletContext.class},
                  (proxy, method, args) -> {
                    switch (method.getName()) {
                      case "getAttributeNames":
                        return Collections.emptyEnumeration();
                      case "hashCode":
                        return System.identityHashCode(proxy);
                      case "equals":
                        return proxy == args[0];
                      default:
                        return null;
                    }
                  });
      return (FilterConfig)
          Proxy.newProxyInstance(
              Contenders.class.getClassLoader(),
              new Class<?>[] {FilterConfig.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "getServletContext":
                    return context;
                  case "getInitParameterNames":
                    return Collections.emptyEnumeration();
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return proxy == args[0];
                  default:
                    return null;
                }
              });
    }
  }
}
