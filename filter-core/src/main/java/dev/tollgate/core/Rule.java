package dev.tollgate.core;

import dev.tollgate.core.internal.PathPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which requests a set of limits covers, and how. Immutable; built with {@link #builder(String)}.
 *
 * <p>The {@linkplain TollgateConfig#defaultRule() default rule} covers every request. An endpoint
 * rule covers the requests whose path matches one of its patterns and whose method is one of its
 * methods (any method if none are given). For a request, the limits of the default rule and of
 * every endpoint rule that matches all apply, decided together: the request is admitted only if
 * every one of them admits it, and consumes from all of them or none. Each rule counts in its own
 * buckets (keyed by rule name and client), so an endpoint's calls count towards the client's global
 * limits as well as the endpoint's own. The page-size rule is the most specific matching rule's
 * (see the README).
 *
 * <p>Unset properties of an endpoint rule: the client key is the configuration's global {@code
 * client.key}; the cost, the page-size rule and the failure policy are the default rule's. They are
 * resolved once, when the configuration is built (or when a rule passed to {@link
 * Tollgate#check(RequestView, Rule)} joins a route); a rule outside any configuration reports the
 * configuration defaults (cost 1, the default page sizes, failing open, the client IP). The cost of
 * a request is the largest cost among the rules that apply, taken from every limit in force.
 */
public final class Rule {

  /** The name of the default rule. */
  public static final String DEFAULT = "default";

  private final String name;
  private final RulePaths paths;
  private final Set<String> methods;
  private final List<Limit> limits;
  // What the rule sets itself (null where unset) and what it takes where it sets nothing.
  private final @Nullable ClientKeyResolver clientKey;
  private final @Nullable PageSizeRule pageSize;
  private final @Nullable Integer cost;
  private final @Nullable StoreFailure onStoreFailure;
  private final Inherited inherited;
  private final boolean countRejected;
  private final boolean dryRun;
  private final @Nullable ExternalLimiter externalLimiter;
  private final Counting counting;

  private Rule(Builder b) {
    this.counting = b.counting;
    this.name = b.name;
    this.paths = new RulePaths(b.paths);
    this.methods = Set.copyOf(b.methods);
    this.limits = List.copyOf(b.limits);
    this.clientKey = b.clientKey;
    this.pageSize = b.pageSize;
    this.cost = b.cost;
    this.countRejected = b.countRejected;
    this.onStoreFailure = b.onStoreFailure;
    this.dryRun = b.dryRun;
    this.externalLimiter = b.externalLimiter;
    this.inherited = b.inherited;
  }

  /** The settings a rule takes where it sets none of its own. */
  private record Inherited(
      int cost, StoreFailure onStoreFailure, PageSizeRule pageSize, ClientKeyResolver clientKey) {

    /** A rule's own defaults, before it joins a configuration. */
    static final Inherited STANDALONE =
        new Inherited(1, StoreFailure.OPEN, PageSizeRule.defaults(), ClientKeys.ip());
  }

  /** This rule taking what it leaves unset from the default rule and the configuration's key. */
  Rule inheriting(Rule defaults, ClientKeyResolver clientKey) {
    Inherited from =
        new Inherited(defaults.cost(), defaults.onStoreFailure(), defaults.pageSize(), clientKey);
    if (from.equals(inherited)
        || this.clientKey != null && pageSize != null && cost != null && onStoreFailure != null) {
      return this;
    }
    Builder b = toBuilder();
    b.inherited = from;
    return b.build();
  }

  /**
   * Starts a rule. Names are 1 to 64 letters, digits, {@code _ . -}; they key the rule's counts and
   * appear in headers, so keep them stable.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** This rule's settings in a new builder. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.paths.addAll(paths.patterns());
    b.methods.addAll(methods);
    b.limits.addAll(limits);
    b.clientKey = clientKey;
    b.pageSize = pageSize;
    b.cost = cost;
    b.countRejected = countRejected;
    b.onStoreFailure = onStoreFailure;
    b.dryRun = dryRun;
    b.externalLimiter = externalLimiter;
    b.counting = counting;
    b.inherited = inherited;
    return b;
  }

  /** The rule's name: keys its counts and prefixes its policy names in headers. */
  public String name() {
    return name;
  }

  /** True if this rule covers the request's method and path. The default rule covers everything. */
  public boolean matches(String method, String path) {
    if (!methods.isEmpty()
        && (method == null || !methods.contains(method.toUpperCase(Locale.ROOT)))) {
      return false;
    }
    return paths.matches(path);
  }

  /** The specificity of the most specific pattern that matches {@code path}; -1 if none does. */
  int specificity(String path) {
    return paths.specificity(path);
  }

  /** The path patterns, as written; immutable. Empty for a rule that covers every path. */
  public List<String> paths() {
    return paths.written();
  }

  /** The methods covered; empty means every method. */
  public Set<String> methods() {
    return methods;
  }

  /** The rule's limits, in the order they were declared. */
  public List<Limit> limits() {
    return limits;
  }

  /** The client key resolver: the rule's own, else the configuration's. */
  public ClientKeyResolver clientKey() {
    return clientKey != null ? clientKey : inherited.clientKey();
  }

  /**
   * The page-size rule: the rule's own, else the default rule's. For a request, the most specific
   * matching rule that {@linkplain #setsPageSize() sets one} decides.
   */
  public PageSizeRule pageSize() {
    return pageSize != null ? pageSize : inherited.pageSize();
  }

  /** True if this rule sets its own page-size rule rather than taking the default rule's. */
  public boolean setsPageSize() {
    return pageSize != null;
  }

  /** Quota units a request takes: the rule's own, else the default rule's (which defaults to 1). */
  public int cost() {
    return cost != null ? cost : inherited.cost();
  }

  /**
   * The cost this rule asks itself, 1 if it sets none: what it adds to the largest cost of the
   * rules that apply (a plan may change the default rule's cost, which the others then follow).
   */
  int ownCost() {
    return cost != null ? cost : 1;
  }

  /** True if this rule sets its own cost rather than taking the default rule's. */
  boolean setsCost() {
    return cost != null;
  }

  /** True if rejected requests are counted against this rule's limits as well. */
  public boolean countRejected() {
    return countRejected;
  }

  /**
   * True if this rule only observes: its limits are counted and reported in headers and metrics,
   * and a request they would reject is logged, but let through.
   */
  public boolean dryRun() {
    return dryRun;
  }

  /**
   * A limiter asked before this rule's own limits, or {@code null}; see {@link ExternalLimiter}.
   */
  public @Nullable ExternalLimiter externalLimiter() {
    return externalLimiter;
  }

  /** What to do when the store cannot decide: the rule's own, else the default rule's. */
  public StoreFailure onStoreFailure() {
    return onStoreFailure != null ? onStoreFailure : inherited.onStoreFailure();
  }

  /** Which responses count against this rule's limits, and whether server errors are refunded. */
  public Counting counting() {
    return counting;
  }

  @Override
  public String toString() {
    return ConfigSummary.of(this);
  }

  /** What a rule does when its store cannot decide. */
  public enum StoreFailure {
    /** Admit the request (and log a warning at most once per interval). */
    OPEN("open"),
    /**
     * Decide in this server's own memory, with each quota divided by the shared store's expected
     * number of servers, until the store answers again.
     */
    LOCAL("local"),
    /** Answer 503 with a problem body and {@code Retry-After}. */
    CLOSED("closed");

    private final String configName;

    StoreFailure(String configName) {
      this.configName = configName;
    }

    /** The name of this value in the configuration syntax. */
    public String configName() {
      return configName;
    }

    /** Reads {@code open}, {@code closed} or {@code local}, ignoring case. */
    public static StoreFailure fromConfig(String word) {
      StoreFailure[] listed = {OPEN, CLOSED, LOCAL}; // declared by strictness, listed by use
      return ConfigWords.fromConfig(listed, StoreFailure::configName, word, "a failure policy");
    }
  }

  /** Builds a {@link Rule}; each setter checks its argument at once. */
  public static final class Builder {
    private final String name;
    private final List<PathPattern> paths = new ArrayList<>();
    private final Set<String> methods = new LinkedHashSet<>();
    private final List<Limit> limits = new ArrayList<>();
    private @Nullable ClientKeyResolver clientKey;
    private @Nullable PageSizeRule pageSize;
    private @Nullable Integer cost;
    private boolean countRejected;
    private @Nullable StoreFailure onStoreFailure;
    private boolean dryRun;
    private @Nullable ExternalLimiter externalLimiter;
    private Counting counting = Counting.ALL;
    private Inherited inherited = Inherited.STANDALONE;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException(
            "rule name must be 1 to 64 letters, digits, '_', '.' or '-' but was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * Path patterns this rule covers ({@code /api/reports}, {@code /api/assets/*}, {@code
     * /api/**}).
     */
    public Builder paths(String... patterns) {
      for (String p : patterns) {
        paths.add(PathPattern.compile(p));
      }
      return this;
    }

    /** HTTP methods this rule covers; none means all. */
    public Builder methods(String... names) {
      for (String m : names) {
        String upper = m.trim().toUpperCase(Locale.ROOT);
        if (!upper.matches("[A-Z]{1,20}")) {
          throw new IllegalArgumentException("'" + m + "' is not an HTTP method");
        }
        methods.add(upper);
      }
      return this;
    }

    /** Adds limits. */
    public Builder limits(Limit... added) {
      for (Limit l : added) {
        limits.add(Objects.requireNonNull(l, "limit"));
      }
      return this;
    }

    /**
     * Adds limits written as in configuration, comma-separated: {@code 100/1m, 10000/24h rolling}.
     */
    public Builder limits(String expressions) {
      for (String e : ConfigWords.list(expressions)) {
        try {
          limits.add(Limit.parse(e));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException("'" + e + "' " + ex.getMessage());
        }
      }
      return this;
    }

    /** Removes every limit added so far. */
    public Builder clearLimits() {
      limits.clear();
      return this;
    }

    /** This rule's own client identity, instead of the configuration's {@code client.key}. */
    public Builder clientKey(ClientKeyResolver resolver) {
      this.clientKey = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /** This rule's page-size rule, instead of the default rule's. */
    public Builder pageSize(PageSizeRule rule) {
      this.pageSize = Objects.requireNonNull(rule, "pageSize");
      return this;
    }

    /** Quota units one request takes from every limit in force. Default value is 1. */
    public Builder cost(int units) {
      if (units < 1) {
        throw new IllegalArgumentException("cost must be at least 1 but was " + units);
      }
      this.cost = units;
      return this;
    }

    /**
     * Whether rejected requests count too (TEOS: "continuing to make calls will continue to
     * increase your call count"). Default value is false.
     */
    public Builder countRejected(boolean count) {
      this.countRejected = count;
      return this;
    }

    /** What to do when the store cannot decide. Default value is {@link StoreFailure#OPEN}. */
    public Builder onStoreFailure(StoreFailure policy) {
      this.onStoreFailure = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** A limiter asked before this rule's own limits; see {@link ExternalLimiter}. */
    public Builder externalLimiter(ExternalLimiter limiter) {
      this.externalLimiter = Objects.requireNonNull(limiter, "limiter");
      return this;
    }

    /**
     * Which responses count, and refunds; see {@link Counting}. Default value is {@link
     * Counting#ALL}.
     */
    public Builder counting(Counting c) {
      this.counting = Objects.requireNonNull(c, "counting");
      return this;
    }

    /** Observe without enforcing; see {@link Rule#dryRun()}. Default value is false. */
    public Builder dryRun(boolean observeOnly) {
      this.dryRun = observeOnly;
      return this;
    }

    /**
     * The immutable rule; fails with {@link ConfigException} when the settings do not fit together.
     */
    public Rule build() {
      Limit.requireDistinctNames(limits);
      if (cost != null) {
        for (Limit l : limits) {
          if (l.unit() == QuotaUnit.REQUESTS && cost > l.quota()) {
            throw new IllegalArgumentException(
                "cost " + cost + " exceeds the quota of " + l + ", so no request could pass");
          }
        }
      }
      return new Rule(this);
    }
  }
}
