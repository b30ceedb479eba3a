package dev.tollgate.core;

import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
  private final Clock clock;
  private final Suspensions suspensions = new Suspensions();
  private final TollgateMetrics metrics;
  private final Admission admission;
  private final QuotaStatus quotaStatus;

  private Tollgate(
      TollgateConfig config,
      RateLimitStore store,
      Clock clock,
      CostClock costClock,
      TollgateMetrics metrics) {
    this.routes = new Routes(config);
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    StoreFailures storeFailures = new StoreFailures(metrics, clock);
    RateDecision rates =
        new RateDecision(
            store, config.maxTrackedClients(), clock, costClock, metrics, storeFailures);
    this.admission = new Admission(suspensions, metrics, rates);
    this.quotaStatus = new QuotaStatus(store, clock, metrics, storeFailures);
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
  public Verdict check(RequestView request, @Nullable Rule extraRule) {
    Routes routes = this.routes;
    TollgateConfig c = routes.config;
    boolean statusRequest = c.statusPath() != null && c.statusPath().equals(request.path());
    if (statusRequest) {
      return decide(request, extraRule, pageSize(request, extraRule));
    }
    if (c.plans() == null) {
      // The route is looked up once, for the page size and the limits alike.
      Route route = routes.route(request.method(), request.path(), extraRule);
      return decide(
          routes,
          request,
          extraRule,
          PageSizeOutcome.evaluate(route.pageSizeRule, request),
          route,
          null);
    }
    // The plan is found once, for the page size and the limits alike.
    String client = ClientKeys.keyOf(c.clientKey(), request);
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
  public PageSizeOutcome pageSize(RequestView request, @Nullable Rule extraRule) {
    Routes routes = this.routes;
    Route route = routes.route(request.method(), request.path(), extraRule);
    Plans plans = routes.config.plans();
    if (plans != null && plans.limitPageSizes()) {
      route =
          route.forPlan(
              plans.resolve(
                  request,
                  ClientKeys.keyOf(routes.config.clientKey(), request),
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
  public Verdict decide(RequestView request, @Nullable Rule extraRule, PageSizeOutcome pageSize) {
    return decide(this.routes, request, extraRule, pageSize, null, null);
  }

  /**
   * @param planned the route already found (for the client's plan, if there are plans), or null
   * @param planClient the client key under the configuration's chain when {@code planned} was found
   *     for a plan, else null
   */
  private Verdict decide(
      Routes routes,
      RequestView request,
      @Nullable Rule extraRule,
      PageSizeOutcome pageSize,
      @Nullable Route planned,
      @Nullable String planClient) {
    Objects.requireNonNull(pageSize, "pageSize");
    TollgateConfig c = routes.config;
    String path = request.path();
    if (c.statusPath() != null && c.statusPath().equals(path)) {
      Verdict v = status(request);
      metrics.decided(v, false);
      return v;
    }
    if (extraRule != null) {
      quotaStatus.remember(extraRule);
    }
    Route route = planned;
    String client = planClient; // under the configuration's client key chain, resolved at most once
    if (route == null) {
      route = routes.route(request.method(), path, extraRule);
      if (c.plans() != null) {
        client = ClientKeys.keyOf(c.clientKey(), request);
        route = route.forPlan(c.plans().resolve(request, client, c.clientIp(), metrics));
      }
    }
    return admission.decide(c, request, route, client, pageSize);
  }

  /**
   * The caller's quota status, like GitHub's {@code GET /rate_limit}: every rule's limits for this
   * client, with remaining quota and reset times, as JSON. Consumes nothing.
   */
  public Verdict status(RequestView request) {
    return quotaStatus.status(routes.config, request);
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
    EngineAssembly.checkReplaceable(old, newConfig);
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
    quotaStatus.remember(extraRule);
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

  /** Builds a {@link Tollgate} with a chosen store or clock. */
  public static final class Builder {
    private final TollgateConfig config;
    private @Nullable RateLimitStore store;
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
      RateLimitStore s = store != null ? store : EngineAssembly.storeFor(config, clock);
      TollgateMetrics m = EngineAssembly.metricsFor(config, metrics);
      Tollgate t = new Tollgate(config, s, clock, costClock, m);
      Charging.warnAboutLimits(config, s, costClock);
      LOG.log(System.Logger.Level.INFO, config.summary());
      return t;
    }
  }
}
