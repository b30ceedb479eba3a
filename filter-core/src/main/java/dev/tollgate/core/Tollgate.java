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

  private final AtomicReference<TollgateConfig> config;
  private final RateLimitStore store;
  private final Clock clock;
  private final dev.tollgate.core.internal.Throttle storeWarnings = dev.tollgate.core.internal.Throttle.perMinute();
  private final Suspensions suspensions = new Suspensions();
  private final ConcurrencyLimiter concurrency = new ConcurrencyLimiter();
  private final TollgateMetrics metrics;
  /** Extra rules seen or reported, for the status document; bounded by the application's annotations. */
  private final java.util.concurrent.ConcurrentHashMap<String, Rule> extraRules = new java.util.concurrent.ConcurrentHashMap<>();

  private static final Runnable NOTHING = () -> {};

  private Tollgate(TollgateConfig config, RateLimitStore store, Clock clock, TollgateMetrics metrics) {
    this.config = new AtomicReference<>(config);
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    suspensions.replaceConfigured(config.suspended());
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
    if (c.statusPath() != null && c.statusPath().equals(request.path())) {
      Verdict v = status(request);
      metrics.decided(v, false);
      return v;
    }
    if (extraRule != null && !extraRules.containsKey(extraRule.name())) {
      extraRules.putIfAbsent(extraRule.name(), extraRule);
    }
    List<Rule> applying = applyingRules(c, request, extraRule);
    String mostSpecific = mostSpecificRule(c, request, extraRule);
    ClientKeyMemo keys = new ClientKeyMemo();

    if (!suspensions.isEmpty()) {
      String client = clientKey(c.clientKey(), request, keys);
      String ip = clientKey(c.clientIp(), request, keys);
      if (suspensions.covers(client, ip)) {
        Verdict v = new Verdict(Verdict.Outcome.SUSPENDED, List.of(), Problems.suspended(), pageSize, List.of(), mostSpecific);
        LOG.log(System.Logger.Level.DEBUG, "403 (suspended) for {0} {1}, client {2}", request.method(), request.path(), client);
        metrics.decided(v, false);
        return v;
      }
    }

    List<Bucket> enforced = new ArrayList<>(applying.size());
    List<Bucket> all = new ArrayList<>(applying.size());
    int cost = c.defaultRule().cost() != null ? c.defaultRule().cost() : 1;
    Rule.StoreFailure onFailure = Rule.StoreFailure.OPEN;
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
      Bucket b = new Bucket(r.name(), clientOf(r, c, request, keys),
          r.limits(), r.countRejected());
      all.add(b);
      if (!r.dryRun()) {
        enforced.add(b);
      }
    }

    Runnable release = NOTHING;
    if (c.maxConcurrentPerClient() > 0) {
      String client = clientKey(c.clientKey(), request, keys);
      if (!concurrency.tryAcquire(client, c.maxConcurrentPerClient())) {
        Verdict v = new Verdict(Verdict.Outcome.CONCURRENCY_LIMITED, List.of(new Header("Retry-After", "1")),
            Problems.tooManyConcurrent(c.maxConcurrentPerClient()), pageSize, List.of(), mostSpecific);
        metrics.decided(v, false);
        return v;
      }
      release = () -> concurrency.release(client);
    }

    Verdict verdict;
    try {
      Verdict refused = askExternalLimiters(c, request, applying, keys, cost, pageSize);
      verdict = refused != null ? refused
          : rateDecision(c, request, all, enforced, cost, pageSize, mostSpecific, onFailure, release);
    } catch (RuntimeException e) {
      release.run(); // whatever fails, the client's concurrency slot is not lost
      throw e;
    }
    if (!verdict.proceed()) {
      release.run();
    }
    return verdict;
  }

  /** A 429 if an external limiter of an enforced rule refuses; null if all grant (or there are none). */
  private Verdict askExternalLimiters(TollgateConfig c, RequestView request, List<Rule> applying, ClientKeyMemo keys,
      int cost, PageSizeOutcome pageSize) {
    for (Rule r : applying) {
      ExternalLimiter external = r.externalLimiter();
      if (external == null) {
        continue;
      }
      long wait = external.tryAcquire(clientOf(r, c, request, keys), cost);
      if (wait <= 0) {
        continue;
      }
      if (r.dryRun()) {
        LOG.log(System.Logger.Level.INFO, "dry-run: {0} would answer 429 to {1} {2}", external.name(), request.method(), request.path());
        continue;
      }
      long retry = LimitStatus.ceilSeconds(wait);
      Verdict v = new Verdict(Verdict.Outcome.RATE_LIMITED, List.of(new Header("Retry-After", Long.toString(retry))),
          Problems.externalExceeded(external.name(), retry), pageSize, List.of(), r.name());
      metrics.decided(v, false);
      return v;
    }
    return null;
  }

  private Verdict rateDecision(TollgateConfig c, RequestView request, List<Bucket> all, List<Bucket> enforced,
      int cost, PageSizeOutcome pageSize, String mostSpecific, Rule.StoreFailure onFailure, Runnable release) {
    List<LimitStatus> limits = List.of();
    boolean admitted = true;
    boolean dryRunRejected = false;
    long now = clock.millis();
    if (!all.isEmpty()) {
      AcquireResult result;
      try {
        if (enforced.size() == all.size()) {
          result = acquire(new AcquireRequest(all, cost));
        } else {
          // Dry-run rules apply: decide the enforced rules on their own (so count-rejected counts once),
          // then observe the dry-run rules separately; only the enforced answer can reject.
          AcquireResult enforcedResult = enforced.isEmpty() ? null : acquire(new AcquireRequest(enforced, cost));
          List<Bucket> observed = new ArrayList<>(all);
          observed.removeAll(enforced);
          boolean enforcedAdmitted = enforcedResult == null || enforcedResult.admitted();
          AcquireResult observedResult = acquire(new AcquireRequest(observed, enforcedAdmitted ? cost : 0));
          dryRunRejected = enforcedAdmitted && !observedResult.admitted();
          result = merge(all, enforced, observedResult, enforcedResult, enforcedAdmitted);
        }
      } catch (RuntimeException e) {
        metrics.storeFailed(e);
        warnStoreTrouble(e);
        Verdict v = onFailure == Rule.StoreFailure.CLOSED
            ? new Verdict(Verdict.Outcome.STORE_UNAVAILABLE, List.of(new Header("Retry-After", "1")),
                Problems.storeUnavailable(1), pageSize, List.of(), mostSpecific)
            : pageSize.rejected()
                ? new Verdict(Verdict.Outcome.INVALID_PAGE_SIZE, List.of(), Problems.invalidPageSize(pageSize), pageSize, List.of(), mostSpecific)
                : new Verdict(Verdict.Outcome.ADMITTED, List.of(), null, pageSize, List.of(), mostSpecific, release);
        metrics.decided(v, false);
        return v;
      }
      admitted = result.admitted();
      now = result.nowMillis();
      limits = statuses(all, result.usages());
    }

    Verdict v;
    if (!admitted) {
      long retryAfter = 1;
      for (LimitStatus l : limits) {
        if (l.usage().rejected()) {
          retryAfter = Math.max(retryAfter, LimitStatus.ceilSeconds(l.usage().retryAfterMillis()));
        }
      }
      if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
        LOG.log(System.Logger.Level.DEBUG, "429 for {0} {1} (rule {2}, client {3}); retry in {4}s",
            request.method(), request.path(), mostSpecific, all.get(0).client(), retryAfter);
      }
      v = new Verdict(Verdict.Outcome.RATE_LIMITED, HeaderWriter.write(c, limits, now, true, retryAfter),
          Problems.quotaExceeded(limits, retryAfter), pageSize, limits, mostSpecific);
    } else {
      if (dryRunRejected) {
        LOG.log(System.Logger.Level.INFO, "dry-run: would answer 429 to {0} {1} (rule {2}, client {3})",
            request.method(), request.path(), mostSpecific, all.get(0).client());
      }
      List<Header> headers = HeaderWriter.write(c, limits, now, false, 0);
      v = pageSize.rejected()
          ? new Verdict(Verdict.Outcome.INVALID_PAGE_SIZE, headers, Problems.invalidPageSize(pageSize), pageSize, limits, mostSpecific)
          : new Verdict(Verdict.Outcome.ADMITTED, headers, null, pageSize, limits, mostSpecific, release);
    }
    metrics.decided(v, dryRunRejected);
    return v;
  }

  private AcquireResult acquire(AcquireRequest request) {
    long start = System.nanoTime();
    AcquireResult result = store.acquire(request);
    metrics.storeLatency(System.nanoTime() - start);
    return result;
  }

  /** One answer in request order: enforced buckets from their own decision, dry-run ones from theirs. */
  private static AcquireResult merge(List<Bucket> all, List<Bucket> enforced, AcquireResult observed,
      AcquireResult enforcedResult, boolean admitted) {
    List<LimitUsage> merged = new ArrayList<>(observed.usages().size() + (enforcedResult == null ? 0 : enforcedResult.usages().size()));
    int e = 0;
    int o = 0;
    for (Bucket b : all) {
      boolean isEnforced = enforced.contains(b);
      for (int l = 0; l < b.limits().size(); l++) {
        merged.add(isEnforced ? enforcedResult.usages().get(e++) : observed.usages().get(o++));
      }
    }
    return new AcquireResult(admitted, observed.nowMillis(), merged);
  }

  /**
   * The caller's quota status, like GitHub's {@code GET /rate_limit}: every rule's limits for this
   * client, with remaining quota and reset times, as JSON. Consumes nothing.
   */
  public Verdict status(RequestView request) {
    TollgateConfig c = config.get();
    ClientKeyMemo keys = new ClientKeyMemo();
    List<Bucket> buckets = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    rules.add(c.defaultRule());
    rules.addAll(c.rules());
    rules.addAll(extraRules.values());
    for (Rule r : rules) {
      if (!r.limits().isEmpty()) {
        buckets.add(new Bucket(r.name(), clientOf(r, c, request, keys),
            r.limits(), false));
      }
    }
    List<LimitStatus> limits = List.of();
    long now = clock.millis();
    if (!buckets.isEmpty()) {
      try {
        AcquireResult result = acquire(new AcquireRequest(buckets, 0));
        limits = statuses(buckets, result.usages());
        now = result.nowMillis();
      } catch (RuntimeException e) {
        metrics.storeFailed(e);
        warnStoreTrouble(e);
        return new Verdict(Verdict.Outcome.STORE_UNAVAILABLE, List.of(new Header("Retry-After", "1")),
            Problems.storeUnavailable(1), PageSizeOutcome.disabled(), List.of(), Rule.DEFAULT);
      }
    }
    return new Verdict(Verdict.Outcome.STATUS, List.of(new Header("Cache-Control", "no-store")),
        StatusDocument.write(limits, now), PageSizeOutcome.disabled(), limits, Rule.DEFAULT);
  }

  /**
   * Replaces the configuration without a restart. Counts are kept: a limit whose window and algorithm
   * are unchanged keeps each client's usage (a client at 80 of 100 stays at 80 when the quota becomes
   * 200). Requests already being decided finish under the old configuration.
   *
   * @throws ConfigException if the new configuration names another store (that needs a restart); the
   *     old configuration then stays in force
   */
  public void reconfigure(TollgateConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    TollgateConfig old = config.get();
    if (!old.storeType().equals(newConfig.storeType()) || !old.storeSettings().equals(newConfig.storeSettings())) {
      throw new ConfigException("store.type", "the store cannot change at run time (restart to change store.*)");
    }
    if (old.maxTrackedClients() != newConfig.maxTrackedClients()) {
      throw new ConfigException("store.max-clients", "the store's bound cannot change at run time (restart to change it)");
    }
    suspensions.replaceConfigured(newConfig.suspended());
    config.set(newConfig);
    LOG.log(System.Logger.Level.INFO, "Reconfigured. " + newConfig.summary());
  }

  /**
   * Tells the engine of a rule an adapter passes to {@link #check(RequestView, Rule)} (for example a
   * JAX-RS {@code @RateLimit} rule), so that the quota status document lists its limits too. Rules
   * passed to {@code check} are remembered anyway; this lists them before their first request.
   */
  public void reportRule(Rule extraRule) {
    extraRules.putIfAbsent(extraRule.name(), extraRule);
  }

  /** The suspended clients, editable at run time. */
  public Suspensions suspensions() {
    return suspensions;
  }

  /**
   * The {@code n} client buckets nearest to exhaustion (largest used share of any limit), for
   * operators: who is using what. Available with the in-memory store; other stores return an empty
   * list. Client keys are as stored: secrets appear only as digests.
   */
  public List<ClientUsage> heaviestClients(int n) {
    if (store instanceof InMemoryStore) {
      return ((InMemoryStore) store).heaviestClients(n);
    }
    return List.of();
  }

  private static String clientKey(ClientKeyResolver resolver, RequestView request, ClientKeyMemo keys) {
    return keys.get(resolver, request);
  }

  /** The client key a rule counts under: its own resolver chain, else the configuration's. */
  private static String clientOf(Rule rule, TollgateConfig c, RequestView request, ClientKeyMemo keys) {
    return keys.get(rule.clientKey() != null ? rule.clientKey() : c.clientKey(), request);
  }

  /** Resolves each client key chain at most once per request (hashing an API key is not free). */
  private static final class ClientKeyMemo {
    private ClientKeyResolver first;
    private String firstKey;
    private java.util.Map<ClientKeyResolver, String> others;

    String get(ClientKeyResolver resolver, RequestView request) {
      if (resolver == first) {
        return firstKey;
      }
      if (first == null) {
        first = resolver;
        firstKey = resolve(resolver, request);
        return firstKey;
      }
      if (others == null) {
        others = new IdentityHashMap<>(4);
      }
      return others.computeIfAbsent(resolver, r -> resolve(r, request));
    }

    private static String resolve(ClientKeyResolver resolver, RequestView request) {
      return ClientKeys.bounded(Objects.requireNonNullElse(resolver.resolve(request), ClientKeys.ANONYMOUS));
    }
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
        String policy = Rule.policyName(b.rule(), u.limit());
        out.add(new LimitStatus(b.rule(), policy, u));
      }
    }
    return out;
  }

  private void warnStoreTrouble(RuntimeException e) {
    if (storeWarnings.tryAcquire()) {
      LOG.log(System.Logger.Level.WARNING, "Rate-limit store cannot decide ({0}); applying each rule''s failure policy."
          + " Further failures in the next minute are not logged.", e.toString());
    }
  }

  /** Builds a {@link Tollgate} with a chosen store or clock. */
  public static final class Builder {
    private final TollgateConfig config;
    private RateLimitStore store;
    private Clock clock = Clock.system();
    private TollgateMetrics metrics = TollgateMetrics.NONE;

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

    /** Where decisions are reported, e.g. {@code new MicrometerMetrics(registry)}. Default value is none. */
    public Builder metrics(TollgateMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** The engine; the caller closes it when done. */
    public Tollgate build() {
      RateLimitStore s = store != null ? store : storeFor(config, clock);
      TollgateMetrics m = metrics;
      if (m == TollgateMetrics.NONE && config.micrometerGlobalRegistry()) {
        try {
          // Behind a method of its own class, so Micrometer is loaded only when asked for.
          m = dev.tollgate.core.micrometer.MicrometerMetrics.globalRegistry();
        } catch (NoClassDefFoundError e) {
          throw new ConfigException("metrics", "micrometer needs micrometer-core on the class path");
        }
      }
      Tollgate t = new Tollgate(config, s, clock, m);
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
