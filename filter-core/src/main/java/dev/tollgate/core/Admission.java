package dev.tollgate.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request's decision once its route is known: its client under each rule, then a suspended client
 * is refused, a concurrency slot is taken, external limiters are asked, and the store decides the
 * rate limits ({@link RateDecision}). One per engine.
 */
final class Admission {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private final Suspensions suspensions;
  private final ConcurrencyLimiter concurrency = new ConcurrencyLimiter();
  private final TollgateMetrics metrics;
  private final RateDecision rates;

  Admission(Suspensions suspensions, TollgateMetrics metrics, RateDecision rates) {
    this.suspensions = suspensions;
    this.metrics = metrics;
    this.rates = rates;
  }

  /**
   * The verdict on a request on {@code route}.
   *
   * @param client the client key under the configuration's chain if already resolved, else null
   */
  Verdict decide(
      TollgateConfig c,
      RequestView request,
      Route route,
      @Nullable String client,
      PageSizeOutcome pageSize) {
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
      Route route, ClientKeyResolver chain, @Nullable String client, RequestView request) {
    String[] clients = new String[route.specs.length];
    for (int i = 0; i < clients.length; i++) {
      ClientKeyResolver resolver = route.resolvers[i];
      clients[i] =
          i > 0 && resolver == route.resolvers[i - 1]
              ? clients[i - 1]
              : resolver == chain && client != null ? client : ClientKeys.keyOf(resolver, request);
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
  private @Nullable String chainClient(
      TollgateConfig c, Route route, String[] clients, RequestView request) {
    for (int i = 0; i < clients.length; i++) {
      if (route.resolvers[i] == c.clientKey()) {
        return clients[i];
      }
    }
    return !suspensions.isEmpty() || route.maxConcurrent > 0
        ? ClientKeys.keyOf(c.clientKey(), request)
        : null;
  }

  /** A 403 if the client or its address is suspended, else null. */
  private @Nullable Verdict suspended(
      TollgateConfig c,
      RequestView request,
      Route route,
      @Nullable String client,
      PageSizeOutcome pageSize) {
    String ip = c.clientIp() == c.clientKey() ? client : ClientKeys.keyOf(c.clientIp(), request);
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
      @Nullable String client,
      PageSizeOutcome pageSize) {
    Runnable release = Verdict.NOTHING;
    if (route.maxConcurrent > 0) {
      // chainClient resolves the key whenever a concurrency cap applies
      String holder = Objects.requireNonNull(client, "client");
      if (!concurrency.tryAcquire(holder, route.maxConcurrent)) {
        Verdict v = Verdict.concurrencyLimited(route.maxConcurrent, pageSize, route.mostSpecific);
        metrics.decided(v, false);
        return v;
      }
      release = () -> concurrency.release(holder);
    }
    Verdict verdict;
    try {
      Verdict refused =
          route.hasExternalLimiters ? askExternalLimiters(c, request, route, pageSize) : null;
      verdict =
          refused != null ? refused : rates.decide(c, request, route, clients, pageSize, release);
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
  private @Nullable Verdict askExternalLimiters(
      TollgateConfig c, RequestView request, Route route, PageSizeOutcome pageSize) {
    for (Rule r : route.applying) {
      ExternalLimiter external = r.externalLimiter();
      if (external == null) {
        continue;
      }
      String client = ClientKeys.keyOf(r.clientKey(), request);
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
}
