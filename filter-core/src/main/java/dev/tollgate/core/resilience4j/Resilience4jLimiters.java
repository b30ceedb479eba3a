package dev.tollgate.core.resilience4j;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.tollgate.core.ExternalLimiter;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Plugs limiters from an existing resilience4j {@link RateLimiterRegistry} into a Tollgate rule, so
 * an application that already configures resilience4j (per-tenant limits, its events and metrics)
 * keeps doing so while Tollgate adds headers, problem bodies, page sizes and its own limits.
 *
 * <p>resilience4j's {@code AtomicRateLimiter} is a fixed window of {@code limitForPeriod} permits
 * per {@code limitRefreshPeriod}, aligned to the limiter's creation. Tollgate never waits for it: a
 * limiter must have a zero {@code timeoutDuration} (the limiters created here do; a pre-registered
 * limiter with a timeout is refused with an exception rather than blocking a request thread).
 *
 * <p>resilience4j-ratelimiter is an optional dependency of filter-core: add it to use this class.
 */
public final class Resilience4jLimiters implements ExternalLimiter {

  private final RateLimiterRegistry registry;
  private final String prefix;
  private final String name;
  private final RateLimiterConfig config;
  private final Cache<String, RateLimiter> perClient;
  private final Set<String> created = ConcurrentHashMap.newKeySet();

  private Resilience4jLimiters(
      RateLimiterRegistry registry, String prefix, String name, long maxClients) {
    this.registry = registry;
    this.prefix = prefix;
    this.name = name;
    this.config =
        RateLimiterConfig.from(registry.getDefaultConfig()).timeoutDuration(Duration.ZERO).build();
    // Bounded like Tollgate's own store: a flood of client keys cannot grow the registry without
    // end.
    this.perClient =
        Caffeine.newBuilder()
            .maximumSize(maxClients)
            .expireAfterAccess(Duration.ofHours(1))
            .executor(Runnable::run)
            .removalListener(
                (@Nullable String key, @Nullable RateLimiter limiter, RemovalCause cause) -> {
                  // Only limiters Tollgate added leave the registry; the application's own stay as
                  // configured.
                  if (limiter != null && created.remove(limiter.getName())) {
                    registry.remove(limiter.getName());
                  }
                })
            .build();
  }

  /**
   * One limiter per client, named {@code prefix + clientKey}: an existing limiter of that name is
   * used as configured, otherwise one is created from the registry's default config (with a zero
   * timeout). At most {@code maxClients} are kept; the least recently used are removed from the
   * registry.
   */
  @SuppressWarnings("exports") // resilience4j is optional: the caller's module reads it already
  public static Resilience4jLimiters perClient(
      RateLimiterRegistry registry, String prefix, String policyName, long maxClients) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(prefix, "prefix");
    if (maxClients < 1) {
      throw new IllegalArgumentException("maxClients must be at least 1 but was " + maxClients);
    }
    return new Resilience4jLimiters(
        registry, prefix, Objects.requireNonNull(policyName, "policyName"), maxClients);
  }

  @Override
  public long tryAcquire(String client, int permits) {
    RateLimiter limiter =
        perClient.get(
            client,
            k -> {
              String name = prefix + k;
              if (registry.find(name).isEmpty()) {
                created.add(name);
              }
              return registry.rateLimiter(name, config);
            });
    if (!limiter.getRateLimiterConfig().getTimeoutDuration().isZero()) {
      throw new IllegalStateException(
          "resilience4j limiter '"
              + limiter.getName()
              + "' has a non-zero timeoutDuration; Tollgate never waits for a permit");
    }
    if (limiter.acquirePermission(permits)) {
      return 0;
    }
    long nanos =
        limiter instanceof AtomicRateLimiter
            ? ((AtomicRateLimiter) limiter).getDetailedMetrics().getNanosToWait()
            : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
    return Math.max(1, (nanos + 999_999) / 1_000_000);
  }

  @Override
  public String name() {
    return name;
  }
}
