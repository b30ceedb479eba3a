package dev.tollgate.core;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.BucketSpec;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreCalls;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The rate limits of a request whose route and clients are known: asks the store for every limit of
 * the route at once (or, while it cannot decide, applies the rules' failure policy or the local
 * fallback) and turns the answer into the verdict, with the charge after the response where the
 * route has one. One per engine.
 */
final class RateDecision {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private static final int ADMITTED = 1;
  private static final int DRY_RUN_REJECTED = 2;

  private final RateLimitStore store;

  /** The store when it is the in-memory one, asked without request objects; else null. */
  private final @Nullable InMemoryStore memoryStore;

  private final Clock clock;
  private final CostClock costClock;
  private final Charging charging;
  private final TollgateMetrics metrics;
  private final LocalFallback localFallback;
  private final StoreFailures storeFailures;

  RateDecision(
      RateLimitStore store,
      long maxTrackedClients,
      Clock clock,
      CostClock costClock,
      TollgateMetrics metrics,
      StoreFailures storeFailures) {
    this.store = store;
    this.memoryStore = store instanceof InMemoryStore ? (InMemoryStore) store : null;
    this.clock = clock;
    this.costClock = costClock;
    this.charging = new Charging(store, metrics, clock);
    this.metrics = metrics;
    this.localFallback = new LocalFallback(store, maxTrackedClients, clock, metrics);
    this.storeFailures = storeFailures;
  }

  /**
   * The verdict of the store on the route's limits for {@code clients}.
   *
   * @param release gives back the client's concurrency slot; passed on to an admitted verdict
   */
  Verdict decide(
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
    storeFailures.report(e);
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
      @Nullable InMemoryStore decidedIn) {
    boolean dryRunRejected = (decided & DRY_RUN_REJECTED) != 0;
    Verdict v;
    if ((decided & ADMITTED) == 0) {
      v = rateLimited(request, route, clients[0], usage, pageSize);
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
              ? Verdict.invalidPageSize(route, usage, pageSize)
              : Verdict.admitted(route, usage, pageSize, release);
      if (route.metering != null && v.proceed()) {
        v.charge = new Charge(charging, costClock, decidedIn, route, clients, usage[0]);
      }
    }
    metrics.decided(v, dryRunRejected);
    return v;
  }

  /** The 429: Retry-After is the longest wait of the limits that rejected. */
  private static Verdict rateLimited(
      RequestView request, Route route, String client, long[] usage, PageSizeOutcome pageSize) {
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
    return Verdict.rateLimited(route, usage, retryAfter, pageSize);
  }

  /**
   * Decides the route's buckets in {@code memory}, or in the configured store if null, filling
   * {@code usage}. Dry-run rules are decided on their own, after the enforced ones (so that
   * count-rejected counts once); only the enforced answer can reject.
   *
   * @return {@link #ADMITTED} and {@link #DRY_RUN_REJECTED} bits
   */
  private int decideIn(
      @Nullable InMemoryStore memory, Route route, String[] clients, long[] usage) {
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
      @Nullable InMemoryStore memory,
      BucketSpec[] specs,
      String[] clients,
      int cost,
      long[] usage) {
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
}
