package dev.tollgate.core;

import dev.tollgate.core.internal.Cidr;
import dev.tollgate.core.internal.Throttle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The plans of a configuration and how a client's plan is found: a chain of plan sources asked in
 * order, the first that knows the client wins (like {@code client.key}); a client none knows is on
 * the default plan (or on none, subject to the rules' own limits, if there is no default).
 * Immutable; built with {@link #builder()} or from {@code plans.*} keys.
 *
 * <p>Sources: the static mapping of each plan's {@code clients}; a header written by a trusted
 * gateway (read only when the direct peer is a trusted proxy); the principal's roles; and {@link
 * PlanResolver}s (an application's class, {@link JdbcPlanResolver}) behind a bounded cache. A
 * resolver that fails or is slow gives the request the fallback plan: never an error.
 */
public final class Plans {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  /**
   * The cache in front of a {@link PlanResolver}.
   *
   * @param maxEntries the most clients held (the least valuable go first)
   * @param ttl how long an answer is used at most
   * @param refresh the age at which an answer is asked again in the background, while still served
   * @param timeout how long a request waits for a client's first answer before taking the fallback
   *     plan
   */
  public record CacheSettings(long maxEntries, Duration ttl, Duration refresh, Duration timeout) {

    /** 10,000 clients, answers kept 10 minutes and refreshed after 1, a 200 ms timeout. */
    public static final CacheSettings DEFAULTS =
        new CacheSettings(
            10_000, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMillis(200));

    /** Checks the settings. */
    public CacheSettings {
      Objects.requireNonNull(ttl, "ttl");
      Objects.requireNonNull(refresh, "refresh");
      Objects.requireNonNull(timeout, "timeout");
      if (maxEntries < 1) {
        throw ConfigException.invalid(
            "plans.cache.max-entries",
            String.valueOf(maxEntries),
            "is not a whole number of at least 1");
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw ConfigException.invalid("plans.cache.ttl", ttl.toString(), "must be positive");
      }
      if (refresh.isNegative() || refresh.isZero() || refresh.compareTo(ttl) > 0) {
        throw ConfigException.invalid(
            "plans.cache.refresh",
            Limit.formatDuration(refresh),
            "must be positive and at most plans.cache.ttl (" + Limit.formatDuration(ttl) + ")");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw ConfigException.invalid(
            "plans.cache.timeout", timeout.toMillis() + "ms", "must be positive");
      }
    }
  }

  /** One link of the chain. */
  interface Source {
    /**
     * The client's plan; null if this source does not know; {@link PlanSources#FAILED} or {@link
     * PlanSources#TIMED_OUT}.
     */
    @Nullable Plan find(RequestView request, String client, ClientKeyResolver clientIp);
  }

  private final List<Plan> plans;
  private final Map<String, Plan> byName;
  private final @Nullable Plan defaultPlan;
  private final @Nullable Plan fallbackPlan;
  private final List<Source> chain;
  private final List<String> chainNames;

  /** The cache of each source that has one (else null), for the log. */
  private final List<PlanCache> caches;

  private final boolean limitPageSizes;
  private final Throttle failureWarnings;
  private final Throttle unknownWarnings;

  private Plans(Builder b) {
    this.plans = List.copyOf(b.plans.values());
    this.byName = Map.copyOf(b.plans);
    this.defaultPlan = b.defaultPlan == null ? null : plan(b.defaultPlan, "plans.default");
    this.fallbackPlan =
        b.fallbackPlan == null ? defaultPlan : plan(b.fallbackPlan, "plans.fallback");
    this.failureWarnings = Throttle.perMinute(b.clock);
    this.unknownWarnings = Throttle.perMinute(b.clock);
    List<Source> chain = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<PlanCache> caches = new ArrayList<>();
    List<Object> sources = b.sources.isEmpty() ? List.of("clients", "roles") : b.sources;
    for (Object s : sources) {
      PlanCache cache = null;
      if ("clients".equals(s)) {
        chain.add(PlanSources.clients(plans));
      } else if ("roles".equals(s)) {
        chain.add(PlanSources.roles(plans));
      } else if (s instanceof String) {
        String header = ((String) s).substring("header:".length());
        chain.add(PlanSources.header(header, b.trustedProxies, this::known));
      } else {
        PlanCache c = PlanCache.create((PlanResolver) s, b.cacheSettings, b.clock);
        String name = s.toString();
        chain.add(PlanSources.resolver(c, name, this::known));
        cache = c;
      }
      names.add(
          s.getClass().isSynthetic()
              ? "resolver " + s.getClass().getName().replaceAll("\\$\\$.*", "")
              : s.toString());
      caches.add(cache);
    }
    this.caches = caches;
    this.chain = List.copyOf(chain);
    this.limitPageSizes = plans.stream().anyMatch(p -> p.pageSizeMax() != null);
    this.chainNames = List.copyOf(names);
  }

  /** Stops the threads of the plan caches (see {@code PlanCache#close}). */
  void close() {
    for (PlanCache cache : caches) {
      if (cache != null) {
        cache.close();
      }
    }
  }

  /** Starts a set of plans. */
  public static Builder builder() {
    return new Builder();
  }

  private Plan plan(String name, String key) {
    Plan p = byName.get(name);
    if (p == null) {
      throw ConfigException.invalid(
          key,
          name,
          "is not a plan (plans: "
              + String.join(", ", byName.keySet().stream().sorted().toList())
              + ")");
    }
    return p;
  }

  /** Every plan, in the order they were added. */
  public List<Plan> all() {
    return plans;
  }

  /** The plan named {@code name}, or null. */
  public @Nullable Plan named(String name) {
    return byName.get(name);
  }

  /** The plan of clients no source places, or null for none (the rules' own limits apply). */
  public @Nullable Plan defaultPlan() {
    return defaultPlan;
  }

  /**
   * The plan of a request whose resolver failed or was too slow; null when neither it nor a default
   * plan is set.
   */
  public @Nullable Plan fallbackPlan() {
    return fallbackPlan;
  }

  /** The sources, in the order they are asked. */
  public List<String> sources() {
    return chainNames;
  }

  /**
   * Fails with {@link ConfigException} if a plan names a rule that does not exist, or a cost no
   * request could pay.
   */
  void check(Rule defaultRule, Collection<Rule> rules) {
    for (Plan p : plans) {
      CrossChecks.plan(p, defaultRule, rules);
    }
  }

  /** True if a plan lowers the page-size maximum (so the page size depends on the client). */
  boolean limitPageSizes() {
    return limitPageSizes;
  }

  /** The position of {@code plan} in {@link #all()}. */
  int indexOf(Plan plan) {
    for (int i = 0; i < plans.size(); i++) {
      if (plans.get(i) == plan) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The plan of a request from {@code client}; null if none applies. Never throws for a resolver's
   * failure: that is logged at most once a minute, reported to {@code metrics}, and answered with
   * the fallback plan.
   */
  @Nullable Plan resolve(
      RequestView request, String client, ClientKeyResolver clientIp, TollgateMetrics metrics) {
    for (int i = 0; i < chain.size(); i++) { // no iterator: this runs for every request
      Plan p = chain.get(i).find(request, client, clientIp);
      if (p == PlanSources.FAILED || p == PlanSources.TIMED_OUT) {
        String reason = p == PlanSources.FAILED ? "error" : "timeout";
        metrics.planFallback(reason);
        if (failureWarnings.tryAcquire()) {
          LOG.log(
              System.Logger.Level.WARNING,
              "Plan source {0} {1}; clients it would place get the fallback plan {2}."
                  + " Further failures in the next minute are not logged.",
              chainNames.get(i),
              p == PlanSources.FAILED
                  ? "failed (" + lastFailure(i) + ")"
                  : "did not answer in time",
              fallbackPlan == null ? "(none: the rules' own limits)" : fallbackPlan.name());
        }
        return fallbackPlan;
      }
      if (p != null) {
        return p;
      }
    }
    return defaultPlan;
  }

  private String lastFailure(int source) {
    PlanCache cache = caches.get(source);
    return cache == null || cache.lastFailure == null ? "no detail" : cache.lastFailure.toString();
  }

  /** The plan a source named, or null (with a warning a minute) if there is no such plan. */
  private @Nullable Plan known(@Nullable String name, String source) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    Plan p = byName.get(name);
    if (p == null && unknownWarnings.tryAcquire()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Plan source {0} named a plan that is not configured: {1}; ignored."
              + " Further such names in the next minute are not logged.",
          source,
          name.length() > 64 ? name.substring(0, 64) : name);
    }
    return p;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("plans ");
    for (int i = 0; i < plans.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(plans.get(i).name());
    }
    s.append(" by [").append(String.join(", ", chainNames)).append(']');
    if (defaultPlan != null) {
      s.append(", default ").append(defaultPlan.name());
    }
    if (fallbackPlan != defaultPlan && fallbackPlan != null) {
      s.append(", fallback ").append(fallbackPlan.name());
    }
    return s.toString();
  }

  /** Builds {@link Plans}. */
  public static final class Builder {
    private final Map<String, Plan> plans = new LinkedHashMap<>();
    private @Nullable String defaultPlan;
    private @Nullable String fallbackPlan;
    private final List<Object> sources = new ArrayList<>();
    private final List<Cidr> trustedProxies = new ArrayList<>();
    private CacheSettings cacheSettings = CacheSettings.DEFAULTS;
    private Clock clock = Clock.system();

    private Builder() {}

    /** Adds a plan; names are unique and not {@code default}. */
    public Builder plan(Plan plan) {
      Objects.requireNonNull(plan, "plan");
      if (PlanParser.RESERVED.contains(plan.name())) {
        throw new ConfigException("plans." + plan.name(), "is a reserved name, not a plan name");
      }
      if (plans.putIfAbsent(plan.name(), plan) != null) {
        throw new ConfigException(
            "plans." + plan.name(), "a plan named '" + plan.name() + "' was already added");
      }
      return this;
    }

    /**
     * The plan of clients no source places. Default value is none: they get the rules' own limits.
     */
    public Builder defaultPlan(String name) {
      this.defaultPlan = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The plan of a request whose resolver failed or was slow. Default value is the default plan.
     */
    public Builder fallbackPlan(String name) {
      this.fallbackPlan = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Asks the plans' {@code clients} (client keys, addresses, ranges). */
    public Builder byClients() {
      sources.add("clients");
      return this;
    }

    /** Asks the principal's roles against the plans' {@code roles}, plans in the order added. */
    public Builder byRoles() {
      sources.add("roles");
      return this;
    }

    /**
     * Reads the plan's name from a header, only when the direct peer is one of the trusted proxies
     * (see {@link #trustedProxies}); a client may not name its own plan.
     */
    public Builder byHeader(String name) {
      if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        throw ConfigException.invalid("plans.resolvers", "header:" + name, "is not a header name");
      }
      sources.add("header:" + name);
      return this;
    }

    /** Asks {@code resolver}, behind the cache (see {@link #cache}). */
    public Builder byResolver(PlanResolver resolver) {
      sources.add(Objects.requireNonNull(resolver, "resolver"));
      return this;
    }

    /** The gateways whose plan header is believed: addresses or ranges. Default value is none. */
    public Builder trustedProxies(List<String> proxies) {
      trustedProxies.clear();
      for (String p : proxies) {
        try {
          trustedProxies.add(Cidr.parse(p.trim()));
        } catch (IllegalArgumentException e) {
          throw ConfigException.invalid("client.trusted-proxies", p, e.getMessage());
        }
      }
      return this;
    }

    /** The cache in front of resolvers. Default value is {@link CacheSettings#DEFAULTS}. */
    public Builder cache(CacheSettings settings) {
      this.cacheSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The clock the cache's ages are read on. Default value is the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The plans; fails with {@link ConfigException} for a default or fallback that is not a plan.
     */
    public Plans build() {
      if (plans.isEmpty()) {
        throw new ConfigException(
            "plans", "no plan is defined (expected e.g. plans.free.limits = 100/1m)");
      }
      return new Plans(this);
    }
  }
}
