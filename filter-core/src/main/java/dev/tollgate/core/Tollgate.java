package dev.tollgate.core;

import dev.tollgate.core.adapter.ClassLoaders;
import dev.tollgate.core.internal.Throttle;
import dev.tollgate.core.micrometer.MicrometerMetrics;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.BucketSpec;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import dev.tollgate.core.store.StoreCalls;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

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

  /** The configuration in force, compiled; replaced whole on reconfiguration. */
  private volatile Routes routes;

  private final RateLimitStore store;

  /** The store when it is the in-memory one, asked without request objects; else null. */
  private final InMemoryStore memoryStore;

  private final Clock clock;
  private final CostClock costClock;
  private final Throttle storeWarnings;
  private final Charging charging;
  private final Suspensions suspensions = new Suspensions();
  private final ConcurrencyLimiter concurrency = new ConcurrencyLimiter();
  private final TollgateMetrics metrics;
  private final LocalFallback localFallback;

  /**
   * Extra rules seen or reported, for the status document; bounded by the application's
   * annotations.
   */
  private final ConcurrentHashMap<String, Rule> extraRules = new ConcurrentHashMap<>();

  private static final Runnable NOTHING = () -> {};

  private Tollgate(
      TollgateConfig config,
      RateLimitStore store,
      Clock clock,
      CostClock costClock,
      TollgateMetrics metrics) {
    this.routes = new Routes(config);
    this.store = store;
    this.memoryStore = store instanceof InMemoryStore ? (InMemoryStore) store : null;
    this.clock = clock;
    this.costClock = costClock;
    this.storeWarnings = Throttle.perMinute(clock);
    this.charging = new Charging(store, metrics, clock);
    this.metrics = metrics;
    this.localFallback = new LocalFallback(store, config.maxTrackedClients(), clock, metrics);
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
    Routes routes = this.routes;
    TollgateConfig c = routes.config;
    if (c.plans() == null || (c.statusPath() != null && c.statusPath().equals(request.path()))) {
      return decide(request, extraRule, pageSize(request, extraRule));
    }
    // The plan is found once, for the page size and the limits alike.
    String client = clientKey(c.clientKey(), request);
    Route route =
        routes
            .route(request.method(), request.path(), extraRule)
            .forPlan(c.plans().resolve(request, client, c.clientIp(), metrics));
    return decide(
        routes,
        request,
        extraRule,
        PageSizeOutcome.evaluate(route.pageSizeRule, request),
        route,
        client);
  }

  /**
   * Only the page-size part of {@link #check(RequestView, Rule)}, for adapters that must rewrite
   * the request before they can decide (a JAX-RS pre-matching filter).
   */
  public PageSizeOutcome pageSize(RequestView request, Rule extraRule) {
    Routes routes = this.routes;
    Route route = routes.route(request.method(), request.path(), extraRule);
    Plans plans = routes.config.plans();
    if (plans != null && plans.limitPageSizes()) {
      route =
          route.forPlan(
              plans.resolve(
                  request,
                  clientKey(routes.config.clientKey(), request),
                  routes.config.clientIp(),
                  metrics));
    }
    return PageSizeOutcome.evaluate(route.pageSizeRule, request);
  }

  /**
   * Decides the rate limits of a request whose page size was already evaluated. The page-size
   * outcome decides a 400 only after the request has been counted, so that malformed requests are
   * rate limited like any other.
   */
  public Verdict decide(RequestView request, Rule extraRule, PageSizeOutcome pageSize) {
    return decide(this.routes, request, extraRule, pageSize, null, null);
  }

  /**
   * @param planned the route with the client's plan already found, or null
   * @param planClient the client key under the configuration's chain when {@code planned} is set
   */
  private Verdict decide(
      Routes routes,
      RequestView request,
      Rule extraRule,
      PageSizeOutcome pageSize,
      Route planned,
      String planClient) {
    Objects.requireNonNull(pageSize, "pageSize");
    TollgateConfig c = routes.config;
    String path = request.path();
    if (c.statusPath() != null && c.statusPath().equals(path)) {
      Verdict v = status(request);
      metrics.decided(v, false);
      return v;
    }
    if (extraRule != null && !extraRules.containsKey(extraRule.name())) {
      extraRules.putIfAbsent(extraRule.name(), extraRule);
    }
    Route route = planned;
    String client = planClient; // under the configuration's client key chain, resolved at most once
    if (route == null) {
      route = routes.route(request.method(), path, extraRule);
      if (c.plans() != null) {
        client = clientKey(c.clientKey(), request);
        route = route.forPlan(c.plans().resolve(request, client, c.clientIp(), metrics));
      }
    }
    String[] clients = clientsOf(route, c.clientKey(), client, request);
    client = client != null ? client : chainClient(c, route, clients, request);
    if (!suspensions.isEmpty()) {
      Verdict suspended = suspended(c, request, route, client, pageSize);
      if (suspended != null) {
        return suspended;
      }
    }
    return limited(c, request, route, clients, client, pageSize);
  }

  /**
   * Each spec's client key; the configuration's chain is resolved at most once ({@code client} if
   * already known).
   */
  private static String[] clientsOf(
      Route route, ClientKeyResolver chain, String client, RequestView request) {
    String[] clients = new String[route.specs.length];
    for (int i = 0; i < clients.length; i++) {
      ClientKeyResolver resolver = route.resolvers[i];
      clients[i] =
          i > 0 && resolver == route.resolvers[i - 1]
              ? clients[i - 1]
              : resolver == chain && client != null ? client : clientKey(resolver, request);
      if (resolver == chain && client == null) {
        client = clients[i];
      }
    }
    return clients;
  }

  /**
   * The key under the configuration's chain: as a spec resolved it, else resolved now if
   * suspensions or a concurrency cap need it, else null.
   */
  private String chainClient(TollgateConfig c, Route route, String[] clients, RequestView request) {
    for (int i = 0; i < clients.length; i++) {
      if (route.resolvers[i] == c.clientKey()) {
        return clients[i];
      }
    }
    return !suspensions.isEmpty() || route.maxConcurrent > 0
        ? clientKey(c.clientKey(), request)
        : null;
  }

  /** A 403 if the client or its address is suspended, else null. */
  private Verdict suspended(
      TollgateConfig c, RequestView request, Route route, String client, PageSizeOutcome pageSize) {
    String ip = c.clientIp() == c.clientKey() ? client : clientKey(c.clientIp(), request);
    if (!suspensions.covers(client, ip)) {
      return null;
    }
    Verdict v = Verdict.suspended(pageSize, route.mostSpecific);
    LOG.log(
        System.Logger.Level.DEBUG,
        "403 (suspended) for {0} {1}, client {2}",
        request.method(),
        request.path(),
        client);
    metrics.decided(v, false);
    return v;
  }

  /** The concurrency cap, then external limiters, then the store. */
  private Verdict limited(
      TollgateConfig c,
      RequestView request,
      Route route,
      String[] clients,
      String client,
      PageSizeOutcome pageSize) {
    Runnable release = NOTHING;
    if (route.maxConcurrent > 0) {
      if (!concurrency.tryAcquire(client, route.maxConcurrent)) {
        Verdict v = Verdict.concurrencyLimited(route.maxConcurrent, pageSize, route.mostSpecific);
        metrics.decided(v, false);
        return v;
      }
      release = () -> concurrency.release(client);
    }
    Verdict verdict;
    try {
      Verdict refused =
          route.hasExternalLimiters ? askExternalLimiters(c, request, route, pageSize) : null;
      verdict =
          refused != null ? refused : rateDecision(c, request, route, clients, pageSize, release);
    } catch (RuntimeException e) {
      release.run(); // whatever fails, the client's concurrency slot is not lost
      throw e;
    }
    if (!verdict.proceed()) {
      release.run();
    }
    return verdict;
  }

  /**
   * A 429 if an external limiter of an enforced rule refuses; null if all grant (or there are
   * none).
   */
  private Verdict askExternalLimiters(
      TollgateConfig c, RequestView request, Route route, PageSizeOutcome pageSize) {
    for (Rule r : route.applying) {
      ExternalLimiter external = r.externalLimiter();
      if (external == null) {
        continue;
      }
      String client = clientKey(r.clientKey(), request);
      long wait = external.tryAcquire(client, route.cost);
      if (wait <= 0) {
        continue;
      }
      if (r.dryRun()) {
        LOG.log(
            System.Logger.Level.INFO,
            "dry-run: {0} would answer 429 to {1} {2}",
            external.name(),
            request.method(),
            request.path());
        continue;
      }
      long retry = LimitStatus.ceilSeconds(wait);
      Verdict v = Verdict.externallyLimited(external.name(), retry, pageSize, r.name());
      metrics.decided(v, false);
      return v;
    }
    return null;
  }

  private Verdict rateDecision(
      TollgateConfig c,
      RequestView request,
      Route route,
      String[] clients,
      PageSizeOutcome pageSize,
      Runnable release) {
    long[] usage = new long[1 + 3 * route.limitCount()];
    if (route.specs.length == 0) {
      usage[0] = clock.millis();
      return answer(c, request, route, clients, pageSize, release, usage, ADMITTED, null);
    }
    int decided;
    try {
      decided = decideIn(memoryStore, route, clients, usage);
      if (memoryStore == null) {
        localFallback.storeAnswered();
      }
    } catch (RuntimeException e) {
      return storeFailed(e, c, request, route, clients, pageSize, release, usage);
    }
    return answer(c, request, route, clients, pageSize, release, usage, decided, memoryStore);
  }

  /** The store could not decide: the rule's failure policy answers, or the local fallback. */
  private Verdict storeFailed(
      RuntimeException e,
      TollgateConfig c,
      RequestView request,
      Route route,
      String[] clients,
      PageSizeOutcome pageSize,
      Runnable release,
      long[] usage) {
    metrics.storeFailed(e);
    warnStoreTrouble(e);
    Rule.StoreFailure policy = LocalFallback.policy(e, route.onFailure);
    if (policy == Rule.StoreFailure.LOCAL) {
      Route local = localFallback.local(route);
      InMemoryStore decidedIn = localFallback.switchTo(e);
      int decided = decideIn(decidedIn, local, clients, usage);
      return answer(c, request, local, clients, pageSize, release, usage, decided, decidedIn);
    }
    Verdict v =
        policy == Rule.StoreFailure.CLOSED
            ? Verdict.storeUnavailable(pageSize, route.mostSpecific)
            : pageSize.rejected()
                ? Verdict.invalidPageSize(pageSize, route.mostSpecific)
                : Verdict.admittedUncounted(pageSize, route.mostSpecific, release);
    metrics.decided(v, false);
    return v;
  }

  /**
   * The verdict on a store's answer.
   *
   * @param decided {@link #ADMITTED} and {@link #DRY_RUN_REJECTED} bits
   * @param decidedIn the in-memory store that decided, or null for the configured store
   */
  private Verdict answer(
      TollgateConfig c,
      RequestView request,
      Route route,
      String[] clients,
      PageSizeOutcome pageSize,
      Runnable release,
      long[] usage,
      int decided,
      InMemoryStore decidedIn) {
    boolean dryRunRejected = (decided & DRY_RUN_REJECTED) != 0;
    Verdict v;
    if ((decided & ADMITTED) == 0) {
      v = rateLimited(c, request, route, clients[0], usage, pageSize);
    } else {
      if (dryRunRejected) {
        LOG.log(
            System.Logger.Level.INFO,
            "dry-run: would answer 429 to {0} {1} (rule {2}, client {3})",
            request.method(),
            request.path(),
            route.mostSpecific,
            clients[0]);
      }
      v =
          pageSize.rejected()
              ? Verdict.invalidPageSize(c, route, usage, pageSize)
              : Verdict.admitted(c, route, usage, pageSize, release);
      if (route.metering != null && v.proceed()) {
        v.charge = new Charge(charging, costClock, decidedIn, route, clients, usage[0]);
      }
    }
    metrics.decided(v, dryRunRejected);
    return v;
  }

  /** The 429: Retry-After is the longest wait of the limits that rejected. */
  private static Verdict rateLimited(
      TollgateConfig c,
      RequestView request,
      Route route,
      String client,
      long[] usage,
      PageSizeOutcome pageSize) {
    long retryAfter = 1;
    for (int i = 0; i < route.limitCount(); i++) {
      long retryMillis = HeaderWriter.retryAfterMillis(usage, i);
      if (retryMillis > 0) {
        retryAfter = Math.max(retryAfter, LimitStatus.ceilSeconds(retryMillis));
      }
    }
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "429 for {0} {1} (rule {2}, client {3}); retry in {4}s",
          request.method(),
          request.path(),
          route.mostSpecific,
          client,
          retryAfter);
    }
    return Verdict.rateLimited(c, route, usage, retryAfter, pageSize);
  }

  private static final int ADMITTED = 1;
  private static final int DRY_RUN_REJECTED = 2;

  /**
   * Decides the route's buckets in {@code memory}, or in the configured store if null, filling
   * {@code usage}. Dry-run rules are decided on their own, after the enforced ones (so that
   * count-rejected counts once); only the enforced answer can reject.
   *
   * @return {@link #ADMITTED} and {@link #DRY_RUN_REJECTED} bits
   */
  private int decideIn(InMemoryStore memory, Route route, String[] clients, long[] usage) {
    if (route.observed.length == 0) {
      return acquire(memory, route.specs, clients, route.cost, usage) ? ADMITTED : 0;
    }
    boolean admitted = true;
    if (route.enforced.length > 0) {
      long[] enforced = new long[1 + 3 * limits(route.enforced)];
      admitted =
          acquire(memory, route.enforced, select(clients, route.enforcedAt), route.cost, enforced);
      scatter(route, route.enforcedAt, enforced, usage);
    }
    long[] observed = new long[1 + 3 * limits(route.observed)];
    boolean observedAdmitted =
        acquire(
            memory,
            route.observed,
            select(clients, route.observedAt),
            admitted ? route.cost : 0,
            observed);
    scatter(route, route.observedAt, observed, usage);
    usage[0] = observed[0];
    return (admitted ? ADMITTED : 0) | (admitted && !observedAdmitted ? DRY_RUN_REJECTED : 0);
  }

  /**
   * Asks {@code memory} directly, or if null the configured store through {@link AcquireRequest}.
   * Fills {@code usage} as {@link InMemoryStore#acquire(BucketSpec[], String[], int, long[])} does.
   */
  private boolean acquire(
      InMemoryStore memory, BucketSpec[] specs, String[] clients, int cost, long[] usage) {
    boolean timed = metrics != TollgateMetrics.NONE;
    long start = timed ? System.nanoTime() : 0;
    boolean admitted;
    if (memory != null) {
      admitted = memory.acquire(specs, clients, cost, usage);
    } else {
      List<Bucket> buckets = new ArrayList<>(specs.length);
      for (int i = 0; i < specs.length; i++) {
        buckets.add(specs[i].forClient(clients[i]));
      }
      AcquireResult result = StoreCalls.acquire(store, new AcquireRequest(buckets, cost));
      usage[0] = result.nowMillis();
      List<LimitUsage> usages = result.usages();
      for (int i = 0; i < usages.size(); i++) {
        LimitUsage u = usages.get(i);
        usage[1 + 3 * i] = u.remaining();
        usage[2 + 3 * i] = u.resetMillis();
        usage[3 + 3 * i] = u.retryAfterMillis();
      }
      admitted = result.admitted();
    }
    if (timed) {
      metrics.storeLatency(System.nanoTime() - start);
    }
    return admitted;
  }

  private static int limits(BucketSpec[] specs) {
    int n = 0;
    for (BucketSpec s : specs) {
      n += s.limits().size();
    }
    return n;
  }

  private static String[] select(String[] clients, int[] at) {
    String[] out = new String[at.length];
    for (int i = 0; i < at.length; i++) {
      out[i] = clients[at[i]];
    }
    return out;
  }

  /**
   * Copies the usage of the specs at positions {@code at} of the route into their places in {@code
   * usage}.
   */
  private static void scatter(Route route, int[] at, long[] part, long[] usage) {
    int from = 0;
    for (int spec : at) {
      int to = 0;
      for (int s = 0; s < spec; s++) {
        to += route.specs[s].limits().size();
      }
      int n = route.specs[spec].limits().size();
      System.arraycopy(part, 1 + 3 * from, usage, 1 + 3 * to, 3 * n);
      from += n;
    }
  }

  /**
   * The caller's quota status, like GitHub's {@code GET /rate_limit}: every rule's limits for this
   * client, with remaining quota and reset times, as JSON. Consumes nothing.
   */
  public Verdict status(RequestView request) {
    TollgateConfig c = routes.config;
    Map<ClientKeyResolver, String> keys = new IdentityHashMap<>();
    Plan plan = null;
    if (c.plans() != null) {
      String client = clientKey(c.clientKey(), request);
      keys.put(c.clientKey(), client);
      plan = c.plans().resolve(request, client, c.clientIp(), metrics);
    }
    List<Bucket> buckets = statusBuckets(c, plan, keys, request);
    List<LimitStatus> limits = List.of();
    long now = clock.millis();
    if (!buckets.isEmpty()) {
      try {
        long start = System.nanoTime();
        AcquireResult result = StoreCalls.acquire(store, new AcquireRequest(buckets, 0));
        metrics.storeLatency(System.nanoTime() - start);
        limits = new ArrayList<>();
        int i = 0;
        for (Bucket b : buckets) {
          for (int l = 0; l < b.limits().size(); l++, i++) {
            LimitUsage u = result.usages().get(i);
            limits.add(new LimitStatus(b.rule(), LimitStatus.policyName(b.rule(), u.limit()), u));
          }
        }
        now = result.nowMillis();
      } catch (RuntimeException e) {
        metrics.storeFailed(e);
        warnStoreTrouble(e);
        return Verdict.storeUnavailable(PageSizeOutcome.disabled(), Rule.DEFAULT);
      }
    }
    return Verdict.status(
        StatusDocument.write(limits, now, plan == null ? null : plan.name()), limits);
  }

  /** A bucket for every rule with limits, the extra rules included, under the client's plan. */
  private List<Bucket> statusBuckets(
      TollgateConfig c, Plan plan, Map<ClientKeyResolver, String> keys, RequestView request) {
    List<Rule> rules = new ArrayList<>();
    rules.add(c.defaultRule());
    rules.addAll(c.rules());
    rules.addAll(extraRules.values());
    List<Bucket> buckets = new ArrayList<>();
    for (Rule configured : rules) {
      Rule r = plan == null ? configured : plan.apply(configured);
      if (!r.limits().isEmpty()) {
        String client =
            keys.computeIfAbsent(
                c.resolve(r).clientKey(), resolver -> clientKey(resolver, request));
        buckets.add(new Bucket(r.name(), client, r.limits(), false));
      }
    }
    return buckets;
  }

  /**
   * Replaces the configuration without a restart. Counts are kept: a limit whose window and
   * algorithm are unchanged keeps each client's usage (a client at 80 of 100 stays at 80 when the
   * quota becomes 200). Requests already being decided finish under the old configuration.
   *
   * @throws ConfigException if the new configuration names another store (that needs a restart);
   *     the old configuration then stays in force
   */
  public void reconfigure(TollgateConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    TollgateConfig old = routes.config;
    if (!old.storeType().equals(newConfig.storeType())
        || !old.storeSettings().equals(newConfig.storeSettings())) {
      throw new ConfigException(
          "store.type", "the store cannot change at run time (restart to change store.*)");
    }
    if (old.maxTrackedClients() != newConfig.maxTrackedClients()) {
      throw new ConfigException(
          "store.max-clients",
          "the store's bound cannot change at run time (restart to change it)");
    }
    suspensions.replaceConfigured(newConfig.suspended());
    routes = new Routes(newConfig);
    if (old.plans() != null && old.plans() != newConfig.plans()) {
      old.plans().close(); // a request still deciding under it starts its threads again
    }
    LOG.log(System.Logger.Level.INFO, "Reconfigured. " + newConfig.summary());
  }

  /**
   * Tells the engine of a rule an adapter passes to {@link #check(RequestView, Rule)} (for example
   * a JAX-RS {@code @RateLimit} rule), so that the quota status document lists its limits too.
   * Rules passed to {@code check} are remembered anyway; this lists them before their first
   * request.
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

  /** The client key {@code resolver} finds for a request, made safe to store. */
  private static String clientKey(ClientKeyResolver resolver, RequestView request) {
    return ClientKeys.bounded(
        Objects.requireNonNullElse(resolver.resolve(request), ClientKeys.ANONYMOUS));
  }

  /** The configuration in force. */
  public TollgateConfig config() {
    return routes.config;
  }

  /** The clock this engine reads; adapters time their own once-a-minute warnings with it. */
  public Clock clock() {
    return clock;
  }

  /** The store counts are kept in. */
  public RateLimitStore store() {
    return store;
  }

  /** Closes the store and stops the threads of the plan resolvers' caches. */
  @Override
  public void close() {
    Plans plans = routes.config.plans();
    if (plans != null) {
      plans.close();
    }
    store.close();
  }

  private void warnStoreTrouble(RuntimeException e) {
    if (storeWarnings.tryAcquire()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Rate-limit store cannot decide ({0}); applying each rule''s failure policy."
              + " Further failures in the next minute are not logged.",
          e.toString());
    }
  }

  /** Builds a {@link Tollgate} with a chosen store or clock. */
  public static final class Builder {
    private final TollgateConfig config;
    private RateLimitStore store;
    private Clock clock = Clock.system();
    private TollgateMetrics metrics = TollgateMetrics.NONE;
    private CostClock costClock = CostClock.system();

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

    /**
     * Where the time and CPU a request takes are measured, for limits in time and CPU. Default
     * value is {@link CostClock#system()}.
     */
    public Builder costClock(CostClock costClock) {
      this.costClock = Objects.requireNonNull(costClock, "costClock");
      return this;
    }

    /**
     * Where decisions are reported, e.g. {@code new MicrometerMetrics(registry)}. Default value is
     * none.
     */
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
          m = MicrometerMetrics.globalRegistry();
        } catch (NoClassDefFoundError e) {
          throw new ConfigException(
              "metrics", "micrometer needs micrometer-core on the class path");
        }
      }
      Tollgate t = new Tollgate(config, s, clock, costClock, m);
      Charging.warnAboutLimits(config, s, costClock);
      LOG.log(System.Logger.Level.INFO, config.summary());
      return t;
    }

    private static RateLimitStore storeFor(TollgateConfig config, Clock clock) {
      if (config.storeType().equals("memory")) {
        return InMemoryStore.create(config.maxTrackedClients(), clock);
      }
      List<String> known = new ArrayList<>(List.of("memory"));
      for (RateLimitStoreProvider p :
          ServiceLoader.load(RateLimitStoreProvider.class, classLoader())) {
        if (p.type().equals(config.storeType())) {
          for (String key : config.storeSettings().keySet()) {
            if (!p.keys().contains(key)) {
              throw new ConfigException(
                  "store." + key,
                  "unknown key for the "
                      + p.type()
                      + " store (expected one of "
                      + String.join(", ", new TreeSet<>(p.keys()))
                      + ")");
            }
          }
          return p.create(config.storeSettings(), clock);
        }
        known.add(p.type());
      }
      throw ConfigException.invalid(
          "store.type",
          config.storeType(),
          "is not an available store (available: "
              + String.join(", ", known)
              + "; the redis store needs the redis-store module on the class path)");
    }

    private static ClassLoader classLoader() {
      return ClassLoaders.contextOr(Tollgate.class);
    }
  }
}
