package dev.tollgate.redis;

import dev.tollgate.core.Clock;
import dev.tollgate.core.ConfigException;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Selects the {@link RedisStore} with {@code store.type=redis}. Keys (below {@code store.}):
 *
 * <ul>
 *   <li>{@code redis.uri} (required): {@code redis://host:6379}, {@code rediss://...}, {@code
 *       redis-sentinel://host:26379#mymaster}, or cluster seeds {@code redis://h1:7000,h2:7001}
 *   <li>{@code redis.cluster}: {@code true} for a Redis Cluster; default {@code false}
 *   <li>{@code redis.timeout}: the longest a decision waits, e.g. {@code 500ms}; default {@code 1s}
 *   <li>{@code redis.connect-timeout}: the longest a connection attempt takes; default {@code 1s}
 *   <li>{@code redis.key-prefix}: the prefix of every key; default {@code tollgate:}
 *   <li>{@code redis.expected-servers}: how many servers share Redis; quotas of rules with {@code
 *       on-store-failure=local} are divided by it while Redis is down; default {@code 1}
 *   <li>{@code redis.lease}: quota leasing, up to this many requests per Redis call for a busy
 *       client, with a stated over-admission bound; default {@code 0} (off, exact)
 *   <li>{@code redis.coalesce}: {@code false} sends a script call per decision instead of
 *       coalescing the decisions that arrive while earlier calls are in flight; default {@code
 *       true}
 * </ul>
 *
 * <p>The configured clock is not used: decisions run on the Redis server's clock.
 */
public final class RedisStoreProvider implements RateLimitStoreProvider {

  static final String URI = "redis.uri";
  static final String CLUSTER = "redis.cluster";
  static final String TIMEOUT = "redis.timeout";
  static final String CONNECT_TIMEOUT = "redis.connect-timeout";
  static final String KEY_PREFIX = "redis.key-prefix";
  static final String EXPECTED_SERVERS = "redis.expected-servers";
  static final String LEASE = "redis.lease";
  static final String COALESCE = "redis.coalesce";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(ms|s)");

  @Override
  public String type() {
    return "redis";
  }

  @Override
  public Set<String> keys() {
    return Set.of(
        URI, CLUSTER, TIMEOUT, CONNECT_TIMEOUT, KEY_PREFIX, EXPECTED_SERVERS, LEASE, COALESCE);
  }

  @Override
  public RateLimitStore create(Map<String, String> settings, Clock clock) {
    return builder(settings).build();
  }

  /** The builder the settings describe, checked key by key. */
  static RedisStore.Builder builder(Map<String, String> settings) {
    RedisStore.Builder b = RedisStore.builder(requiredUri(settings));
    String cluster = settings.get(CLUSTER);
    if (cluster != null) {
      b.cluster(bool(CLUSTER, cluster));
    }
    timeouts(settings, b);
    if (settings.containsKey(KEY_PREFIX)) {
      apply(KEY_PREFIX, settings.get(KEY_PREFIX), () -> b.keyPrefix(settings.get(KEY_PREFIX)));
    }
    if (settings.containsKey(EXPECTED_SERVERS)) {
      String v = settings.get(EXPECTED_SERVERS);
      int n = wholeNumber(EXPECTED_SERVERS, v, "e.g. 3");
      apply(EXPECTED_SERVERS, v, () -> b.expectedServers(n));
    }
    if (settings.containsKey(LEASE)) {
      String v = settings.get(LEASE);
      int n = wholeNumber(LEASE, v, "e.g. 10, or 0 for no leasing");
      apply(LEASE, v, () -> b.lease(n));
    }
    String coalesce = settings.get(COALESCE);
    if (coalesce != null) {
      b.coalesce(bool(COALESCE, coalesce));
    }
    // Parse the URI now, so a typo is reported against its key rather than at the first request.
    try {
      b.validate();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store." + URI, e.getMessage());
    }
    return b;
  }

  private static String requiredUri(Map<String, String> settings) {
    String uri = settings.get(URI);
    if (uri == null || uri.isBlank()) {
      throw new ConfigException(
          "store." + URI, "is required for the redis store (e.g. redis://localhost:6379)");
    }
    return uri;
  }

  private static void timeouts(Map<String, String> settings, RedisStore.Builder b) {
    if (settings.containsKey(TIMEOUT)) {
      Duration d = duration(TIMEOUT, settings.get(TIMEOUT));
      apply(TIMEOUT, settings.get(TIMEOUT), () -> b.timeout(d));
    }
    if (settings.containsKey(CONNECT_TIMEOUT)) {
      Duration d = duration(CONNECT_TIMEOUT, settings.get(CONNECT_TIMEOUT));
      apply(CONNECT_TIMEOUT, settings.get(CONNECT_TIMEOUT), () -> b.connectTimeout(d));
    }
  }

  private static boolean bool(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw ConfigException.invalid(
          "store." + key, value, "is not a boolean (expected true or false)");
    }
    return v.equals("true");
  }

  /** {@code example} names values that fit, e.g. {@code "e.g. 3"}. */
  private static int wholeNumber(String key, String value, String example) {
    try {
      return Integer.parseInt(value == null ? "" : value.trim());
    } catch (NumberFormatException e) {
      throw ConfigException.invalid(
          "store." + key, value, "is not a whole number (expected " + example + ")");
    }
  }

  private static Duration duration(String key, String value) {
    Matcher m = DURATION.matcher(value == null ? "" : value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw ConfigException.invalid(
          "store." + key,
          value,
          "is not a duration (expected milliseconds or seconds, e.g. 50ms or 1s)");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
  }

  private static void apply(String key, String value, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid("store." + key, value, e.getMessage());
    }
  }
}
