package dev.tollgate.core;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine the adapters call once per request: it finds the rules that apply, identifies the
 * client, applies the page-size rule, asks the store for a decision on every limit at once, and
 * writes the headers and problem body. Thread-safe; one instance serves a whole application.
 *
 * <pre>{@code
 * Tollgate tollgate = Tollgate.create(TollgateConfig.load(in, "tollgate.properties"));
 * Verdict verdict = tollgate.check(requestView);
 * }</pre>
 */
public final class Tollgate implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");
  private static final long STORE_WARNING_INTERVAL_MILLIS = 60_000;

  private final AtomicReference<TollgateConfig> config;
  private final RateLimitStore store;
  private final Clock clock;
  private final AtomicLong lastStoreWarning = new AtomicLong(Long.MIN_VALUE / 2);

  private Tollgate(TollgateConfig config, RateLimitStore store, Clock clock) {
    this.config = new AtomicReference<>(config);
    this.store = store;
    this.clock = clock;
  }

  /**
   * An engine for {@code config} on the system clock, with the store its {@code store.type} names
   * ({@code memory} unless configured otherwise).
   *
   * @throws ConfigException if the store type is unknown or its settings are wrong
   */
  public static Tollgate create(TollgateConfig config) {
    return builder(config).build();
  }

  /** Starts an engine with a chosen store or clock. */
  public static Builder builder(TollgateConfig config) {
    return new Builder(config);
  }

  /** Decides a request under the configured rules. */
  public Verdict check(RequestView request) {
    return check(request, null);
  }

  /**
   * Decides a request under the configured rules plus {@code extraRule} (for example limits from an
   * annotation on the resource method), all atomically. The extra rule's page-size rule, if set,
   * takes precedence.
   */
  public Verdict check(RequestView request, Rule extraRule) {
    return decide(request, extraRule, pageSize(request, extraRule));
  }

  /**
   * Only the page-size part of {@link #check(RequestView, Rule)}, for adapters that must rewrite the
   * request before they can decide (a JAX-RS pre-matching filter).
   */
  public PageSizeOutcome pageSize(RequestView request, Rule extraRule) {
    TollgateConfig c = config.get();
    return PageSizeOutcome.evaluate(pageSizeRule(c, request, extraRule), request);
  }

  /**
   * Decides the rate limits of a request whose page size was already evaluated. The page-size
   * outcome decides a 400 only after the request has been counted, so that malformed requests are
   * rate limited like any other.
   */
  public Verdict decide(RequestView request, Rule extraRule, PageSizeOutcome pageSize) {
    Objects.requireNonNull(pageSize, "pageSize");
    TollgateConfig c = config.get();
    List<Rule> applying = applyingRules(c, request, extraRule);
    String mostSpecific = mostSpecificRule(c, request, extraRule);

    List<Bucket> buckets = new ArrayList<>(applying.size());
    Map<ClientKeyResolver, String> keys = new IdentityHashMap<>(2);
    int cost = 1;
    Rule.StoreFailure onFailure = Rule.StoreFailure.OPEN;
    if (c.defaultRule().cost() != null) {
      cost = c.defaultRule().cost();
    }
    for (Rule r : applying) {
      if (r.cost() != null) {
        cost = Math.max(cost, r.cost());
      }
      if (r.onStoreFailure() == Rule.StoreFailure.CLOSED) {
        onFailure = Rule.StoreFailure.CLOSED;
      }
      if (r.limits().isEmpty()) {
        continue;
      }
      ClientKeyResolver resolver = r.clientKey() != null ? r.clientKey() : c.clientKey();
      String client = keys.computeIfAbsent(resolver, k -> ClientKeys.bounded(Objects.requireNonNullElse(
          k.resolve(request), ClientKeys.ANONYMOUS)));
      buckets.add(new Bucket(r.name(), client, r.limits(), r.countRejected()));
    }

    List<LimitStatus> limits = List.of();
    boolean admitted = true;
    long now = clock.millis();
    if (!buckets.isEmpty()) {
      AcquireResult result;
      try {
        result = store.acquire(new AcquireRequest(buckets, cost));
      } catch (RuntimeException e) {
        warnStoreTrouble(e);
        if (onFailure == Rule.StoreFailure.CLOSED) {
          return new Verdict(Verdict.Outcome.STORE_UNAVAILABLE, List.of(new Header("Retry-After", "1")),
              Problems.storeUnavailable(1), pageSize, List.of(), mostSpecific);
        }
        return pageSize.rejected()
            ? new Verdict(Verdict.Outcome.INVALID_PAGE_SIZE, List.of(), Problems.invalidPageSize(pageSize), pageSize, List.of(), mostSpecific)
            : new Verdict(Verdict.Outcome.ADMITTED, List.of(), null, pageSize, List.of(), mostSpecific);
      }
      admitted = result.admitted();
      now = result.nowMillis();
      limits = statuses(buckets, result.usages());
    }

    if (!admitted) {
      long retryAfter = 1;
      for (LimitStatus l : limits) {
        if (l.usage().rejected()) {
          retryAfter = Math.max(retryAfter, LimitStatus.ceilSeconds(l.usage().retryAfterMillis()));
        }
      }
      if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
        LOG.log(System.Logger.Level.DEBUG, "429 for {0} {1} (rule {2}, client {3}); retry in {4}s",
            request.method(), request.path(), mostSpecific, buckets.get(0).client(), retryAfter);
      }
      return new Verdict(Verdict.Outcome.RATE_LIMITED, HeaderWriter.write(c, limits, now, true, retryAfter),
          Problems.quotaExceeded(limits, retryAfter), pageSize, limits, mostSpecific);
    }
    List<Header> headers = HeaderWriter.write(c, limits, now, false, 0);
    if (pageSize.rejected()) {
      return new Verdict(Verdict.Outcome.INVALID_PAGE_SIZE, headers, Problems.invalidPageSize(pageSize),
          pageSize, limits, mostSpecific);
    }
    return new Verdict(Verdict.Outcome.ADMITTED, headers, null, pageSize, limits, mostSpecific);
  }

  /** The configuration in force. */
  public TollgateConfig config() {
    return config.get();
  }

  /** The store counts are kept in. */
  public RateLimitStore store() {
    return store;
  }

  /** Closes the store. */
  @Override
  public void close() {
    store.close();
  }

  private static List<Rule> applyingRules(TollgateConfig c, RequestView request, Rule extraRule) {
    List<Rule> applying = new ArrayList<>(3);
    applying.add(c.defaultRule());
    String method = request.method();
    String path = request.path();
    for (Rule r : c.rules()) {
      if (r.matches(method, path)) {
        applying.add(r);
      }
    }
    if (extraRule != null) {
      applying.add(extraRule);
    }
    return applying;
  }

  private static String mostSpecificRule(TollgateConfig c, RequestView request, Rule extraRule) {
    if (extraRule != null) {
      return extraRule.name();
    }
    Rule best = mostSpecific(c, request, false);
    return best == null ? Rule.DEFAULT : best.name();
  }

  /** The most specific matching endpoint rule (ties: the first declared), optionally only those with a page-size rule. */
  private static Rule mostSpecific(TollgateConfig c, RequestView request, boolean withPageSize) {
    Rule best = null;
    int bestScore = -1;
    for (Rule r : c.rules()) {
      if ((withPageSize && r.pageSize() == null) || !r.matches(request.method(), request.path())) {
        continue;
      }
      int score = r.specificity(request.path());
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  private static PageSizeRule pageSizeRule(TollgateConfig c, RequestView request, Rule extraRule) {
    if (extraRule != null && extraRule.pageSize() != null) {
      return extraRule.pageSize();
    }
    Rule r = mostSpecific(c, request, true);
    return r != null ? r.pageSize() : c.defaultRule().pageSize();
  }

  private static List<LimitStatus> statuses(List<Bucket> buckets, List<LimitUsage> usages) {
    List<LimitStatus> out = new ArrayList<>(usages.size());
    int i = 0;
    for (Bucket b : buckets) {
      for (int l = 0; l < b.limits().size(); l++, i++) {
        LimitUsage u = usages.get(i);
        String policy = b.rule().equals(Rule.DEFAULT) ? u.limit().name() : b.rule() + "." + u.limit().name();
        out.add(new LimitStatus(b.rule(), policy, u));
      }
    }
    return out;
  }

  private void warnStoreTrouble(RuntimeException e) {
    long now = System.currentTimeMillis();
    long last = lastStoreWarning.get();
    if (now - last >= STORE_WARNING_INTERVAL_MILLIS && lastStoreWarning.compareAndSet(last, now)) {
      LOG.log(System.Logger.Level.WARNING, "Rate-limit store cannot decide ({0}); applying each rule''s failure policy."
          + " Further failures in the next minute are not logged.", e.toString());
    }
  }

  /** Builds a {@link Tollgate} with a chosen store or clock. */
  public static final class Builder {
    private final TollgateConfig config;
    private RateLimitStore store;
    private Clock clock = Clock.system();

    private Builder(TollgateConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The store to count in. Default value is the store the configuration names. */
    public Builder store(RateLimitStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock. Default value is {@link Clock#system()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Tollgate build() {
      RateLimitStore s = store != null ? store : storeFor(config, clock);
      Tollgate t = new Tollgate(config, s, clock);
      LOG.log(System.Logger.Level.INFO, config.summary());
      return t;
    }

    private static RateLimitStore storeFor(TollgateConfig config, Clock clock) {
      if (config.storeType().equals("memory")) {
        return InMemoryStore.create(config.maxTrackedClients(), clock);
      }
      List<String> known = new ArrayList<>(List.of("memory"));
      for (RateLimitStoreProvider p : ServiceLoader.load(RateLimitStoreProvider.class, classLoader())) {
        if (p.type().equals(config.storeType())) {
          for (String key : config.storeSettings().keySet()) {
            if (!p.keys().contains(key)) {
              throw new ConfigException("store." + key, "unknown key for the " + p.type() + " store (expected one of "
                  + String.join(", ", new java.util.TreeSet<>(p.keys())) + ")");
            }
          }
          return p.create(config.storeSettings(), clock);
        }
        known.add(p.type());
      }
      throw ConfigException.invalid("store.type", config.storeType(), "is not an available store (available: "
          + String.join(", ", known) + "; the redis store needs the redis-store module on the class path)");
    }

    private static ClassLoader classLoader() {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      return context != null ? context : Tollgate.class.getClassLoader();
    }
  }
}
