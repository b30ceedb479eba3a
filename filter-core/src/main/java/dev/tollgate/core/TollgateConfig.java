package dev.tollgate.core;

import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Everything Tollgate enforces: the default rule, the endpoint rules, how clients are identified,
 * which headers are sent, and where counts are stored. Immutable; built with {@link #builder()} or
 * read from properties with {@link #parse(Map)} / {@link #load(InputStream, String)}, which use the
 * builder and so check exactly the same things.
 *
 * <p>Configuration errors are found here, at startup: a {@link ConfigException} names the key and
 * the value. Nothing is checked again while requests are decided.
 */
public final class TollgateConfig {

  private final Rule defaultRule;
  private final List<Rule> rules;
  private final ClientKeyResolver clientKey;
  private final List<HeaderDialect> dialects;
  private final double headersAfterUsedShare;
  private final long maxTrackedClients;
  private final String storeType;
  private final Map<String, String> storeSettings;
  private final ClientKeyResolver clientIp;
  private final List<String> suspended;
  private final @Nullable String statusPath;
  private final int maxConcurrentPerClient;
  private final Duration reloadInterval;
  private final boolean micrometer;
  private final @Nullable Plans plans;

  private TollgateConfig(Builder b) {
    // Each rule's unset settings are resolved here, once: no caller falls back to the default rule.
    this.defaultRule = b.defaultRule.inheriting(b.defaultRule, b.clientKey);
    List<Rule> resolved = new ArrayList<>(b.rules.size());
    for (Rule r : b.rules.values()) {
      resolved.add(r.inheriting(defaultRule, b.clientKey));
    }
    this.rules = List.copyOf(resolved);
    this.clientKey = b.clientKey;
    this.dialects = List.copyOf(b.dialects);
    this.headersAfterUsedShare = b.headersAfterUsedShare;
    this.maxTrackedClients = b.maxTrackedClients;
    this.storeType = b.storeType;
    this.storeSettings = Collections.unmodifiableMap(new LinkedHashMap<>(b.storeSettings));
    this.clientIp = b.clientIp;
    this.suspended = List.copyOf(b.suspended);
    this.statusPath = b.statusPath;
    this.maxConcurrentPerClient = b.maxConcurrentPerClient;
    this.reloadInterval = b.reloadInterval;
    this.micrometer = b.micrometer;
    this.plans = b.plans;
  }

  /** A new builder with every default: 100 requests per minute per client IP, IETF headers. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a configuration from properties (the keys of a configuration file, or {@code web.xml}
   * init-params). See the README's configuration reference for every key.
   *
   * @throws ConfigException naming the first key whose value cannot be used, or an unknown key
   */
  public static TollgateConfig parse(Map<String, String> properties) {
    return ConfigParser.parse(properties);
  }

  /**
   * Reads a properties file (ISO-8859-1 escapes as in {@link Properties}, read as UTF-8).
   *
   * @param source the file's name, for messages
   * @throws ConfigException for a value that cannot be used
   * @throws IOException if the stream cannot be read
   */
  public static TollgateConfig load(InputStream in, String source) throws IOException {
    return load(in, source, Map.of());
  }

  /**
   * Reads a properties file, then applies {@code overrides} on top (for example {@code web.xml}
   * init-params next to a {@code config} file).
   *
   * @throws ConfigException for a value that cannot be used
   * @throws IOException if the stream cannot be read
   */
  public static TollgateConfig load(InputStream in, String source, Map<String, String> overrides)
      throws IOException {
    return ConfigParser.load(in, source, overrides);
  }

  /**
   * The key as the parser reads it: a shorthand such as {@code limits} becomes {@code
   * rules.default.limits}; any other key is returned trimmed.
   */
  public static String canonicalKey(String key) {
    return ConfigParser.canonicalKey(key);
  }

  /** The rule every request is subject to. */
  public Rule defaultRule() {
    return defaultRule;
  }

  /**
   * {@code rule} (for example one passed to {@link Tollgate#check(RequestView, Rule)}) with the
   * settings it leaves unset taken from this configuration.
   */
  Rule resolve(Rule rule) {
    return rule.inheriting(defaultRule, clientKey);
  }

  /** The endpoint rules, in the order they were added. */
  public List<Rule> rules() {
    return rules;
  }

  /** The client key chain used by rules that do not set their own. */
  public ClientKeyResolver clientKey() {
    return clientKey;
  }

  /** The header dialects written on responses, in order ({@code headers.dialects}). */
  public List<HeaderDialect> dialects() {
    return dialects;
  }

  /**
   * Headers other than {@code Retry-After} are sent on admitted responses only once the client has
   * used at least this share of the reported limit (0 sends them always).
   */
  public double headersAfterUsedShare() {
    return headersAfterUsedShare;
  }

  /** The in-memory store's bound on tracked client states. */
  public long maxTrackedClients() {
    return maxTrackedClients;
  }

  /** {@code memory}, or the type of a {@link RateLimitStoreProvider}. */
  public String storeType() {
    return storeType;
  }

  /** The {@code store.*} settings for a store provider, without the prefix. */
  public Map<String, String> storeSettings() {
    return storeSettings;
  }

  /**
   * How the client's IP address is found (trusted proxies, IPv6 grouping); used for suspended
   * ranges.
   */
  public ClientKeyResolver clientIp() {
    return clientIp;
  }

  /**
   * Clients refused with 403 from the start: client keys as they appear in logs and {@code
   * heaviestClients} (e.g. {@code key:3q2-7w…}, {@code user:alice}) and IP addresses or ranges
   * ({@code 203.0.113.0/24}). More can be added at run time through {@link Tollgate#suspensions()}.
   */
  public List<String> suspended() {
    return suspended;
  }

  /** The path of the quota status document (e.g. {@code /rate_limit}), or {@code null} for none. */
  public @Nullable String statusPath() {
    return statusPath;
  }

  /** The most requests one client may have in flight on this server; 0 for no limit. */
  public int maxConcurrentPerClient() {
    return maxConcurrentPerClient;
  }

  /**
   * How often a watched configuration file is checked for changes; {@link Duration#ZERO} for never.
   */
  public Duration reloadInterval() {
    return reloadInterval;
  }

  /**
   * True if decisions are recorded in Micrometer's global registry ({@code metrics=micrometer}),
   * for applications that configure no code; with the builder, pass a {@link TollgateMetrics} to
   * {@link Tollgate.Builder#metrics} instead.
   */
  public boolean micrometerGlobalRegistry() {
    return micrometer;
  }

  /** The plans clients are on, or {@code null} if every client of a rule has the same limits. */
  public @Nullable Plans plans() {
    return plans;
  }

  /** A one-paragraph summary for the startup log. Holds no secret. */
  public String summary() {
    return ConfigSummary.of(this);
  }

  @Override
  public String toString() {
    return summary();
  }

  /** Builds a {@link TollgateConfig}. Each setter checks its argument at once. */
  public static final class Builder {
    private Rule defaultRule =
        Rule.builder(Rule.DEFAULT).limits("100/1m").pageSize(PageSizeRule.defaults()).build();
    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private ClientKeyResolver clientKey = ClientKeys.firstOf(List.of(ClientKeys.ip()));
    private List<HeaderDialect> dialects = List.of(HeaderDialect.IETF);
    private double headersAfterUsedShare;
    private long maxTrackedClients = InMemoryStore.DEFAULT_MAX_CLIENTS;
    private String storeType = "memory";
    private final Map<String, String> storeSettings = new LinkedHashMap<>();
    private ClientKeyResolver clientIp = ClientKeys.ip(List.of(), 128);
    private final List<String> suspended = new ArrayList<>();
    private @Nullable String statusPath;
    private int maxConcurrentPerClient;
    private Duration reloadInterval = Duration.ZERO;
    private boolean micrometer;
    private @Nullable Plans plans;

    private Builder() {}

    /** The plans clients are on; {@code null} for none. Default value is none. */
    public Builder plans(@Nullable Plans plans) {
      this.plans = plans;
      return this;
    }

    /** Records decisions in Micrometer's global registry. Default value is false. */
    public Builder micrometerGlobalRegistry(boolean record) {
      this.micrometer = record;
      return this;
    }

    /**
     * How the client IP is found for suspended address ranges (and for nothing else: the client key
     * chain has its own). Default value is {@link ClientKeys#ip()}.
     */
    public Builder clientIp(ClientKeyResolver resolver) {
      this.clientIp = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Adds suspended clients: client keys, IP addresses or ranges. See {@link
     * TollgateConfig#suspended()}.
     */
    public Builder suspend(String... entries) {
      for (String e : entries) {
        Suspensions.check("suspended", e);
        suspended.add(e.trim());
      }
      return this;
    }

    /**
     * Serves the caller's quota status as JSON at this path, without counting. Default value is
     * none.
     */
    public Builder statusPath(@Nullable String path) {
      if (path != null && (!path.startsWith("/") || path.length() > 200 || path.contains(" "))) {
        throw ConfigException.invalid(
            "status.path", path, "is not a path (expected e.g. /rate_limit)");
      }
      this.statusPath = path;
      return this;
    }

    /**
     * The most requests one client may have in flight on this server; 0 for no limit. Default value
     * is 0.
     */
    public Builder maxConcurrentPerClient(int max) {
      if (max < 0) {
        throw ConfigException.invalid(
            "concurrency.max-per-client",
            String.valueOf(max),
            "is not a whole number of at least 0");
      }
      this.maxConcurrentPerClient = max;
      return this;
    }

    /** How often to re-read a watched configuration file; zero for never. Default value is zero. */
    public Builder reloadInterval(Duration interval) {
      if (interval.isNegative()) {
        throw ConfigException.invalid(
            "reload.interval", interval.toString(), "must not be negative");
      }
      this.reloadInterval = interval;
      return this;
    }

    /**
     * The rule every request is subject to; it must be named {@value Rule#DEFAULT} and have no
     * paths or methods. Unset page size means {@link PageSizeRule#defaults()}. Default value is
     * {@code 100/1m} with the default page sizes.
     */
    public Builder defaultRule(Rule rule) {
      CrossChecks.defaultRule(Objects.requireNonNull(rule, "rule"));
      this.defaultRule =
          rule.setsPageSize() ? rule : rule.toBuilder().pageSize(PageSizeRule.defaults()).build();
      return this;
    }

    /** Adds an endpoint rule; its name must be unique and not {@value Rule#DEFAULT}. */
    public Builder rule(Rule rule) {
      CrossChecks.endpointRule(Objects.requireNonNull(rule, "rule"), rules.keySet());
      rules.put(rule.name(), rule);
      return this;
    }

    /**
     * How clients are identified: the first resolver that finds a key wins. Default value is the
     * client IP with no trusted proxy.
     */
    public Builder clientKey(ClientKeyResolver... chain) {
      this.clientKey = ClientKeys.firstOf(List.of(chain));
      return this;
    }

    /** The header dialects to send. Default value is {@link HeaderDialect#IETF}. */
    public Builder dialects(HeaderDialect... chosen) {
      this.dialects = HeaderDialect.combination(chosen);
      return this;
    }

    /** See {@link TollgateConfig#headersAfterUsedShare()}. Default value is 0. */
    public Builder headersAfterUsedShare(double share) {
      if (!(share >= 0 && share <= 1)) {
        throw ConfigException.invalid(
            "headers.after-used-share",
            String.valueOf(share),
            "is not a share (expected a number from 0 to 1)");
      }
      this.headersAfterUsedShare = share;
      return this;
    }

    /**
     * The in-memory store's bound on tracked client states, from 1 to {@link
     * InMemoryStore#MAX_CLIENTS}. Default value is 100,000.
     */
    public Builder maxTrackedClients(long max) {
      if (max < 1) {
        throw ConfigException.invalid(
            "store.max-clients",
            String.valueOf(max),
            "is not a valid bound (expected a whole number of at least 1)");
      }
      if (max > InMemoryStore.MAX_CLIENTS) {
        throw ConfigException.invalid(
            "store.max-clients",
            String.valueOf(max),
            "is above the largest bound, " + InMemoryStore.MAX_CLIENTS);
      }
      this.maxTrackedClients = max;
      return this;
    }

    /**
     * Selects a store provider by type, with its settings (keys without {@code store.}). Default
     * value is {@code memory}.
     */
    public Builder store(String type, Map<String, String> settings) {
      Objects.requireNonNull(type, "type");
      this.storeType = type.trim();
      this.storeSettings.clear();
      this.storeSettings.putAll(settings);
      return this;
    }

    /**
     * The immutable configuration; fails with {@link ConfigException} naming the key of any value
     * that cannot be used.
     */
    public TollgateConfig build() {
      for (Rule r : rules.values()) {
        CrossChecks.cost(defaultRule, r);
      }
      if (plans != null) {
        plans.check(defaultRule, rules.values());
      }
      return new TollgateConfig(this);
    }
  }
}
