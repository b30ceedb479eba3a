package dev.tollgate.core;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreSlowException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code on-store-failure=local}: while the store cannot decide, requests are decided by an
 * in-memory store of this server, with each quota divided by the shared store's expected number of
 * servers. Local counts stay local: they are never written to the shared store, so a request is
 * charged once, and they are kept for their windows, so a store that flaps does not grant a fresh
 * local quota with every outage.
 */
final class LocalFallback {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private final int servers;
  private final long maxClients;
  private final Clock clock;
  private final TollgateMetrics metrics;
  private final AtomicBoolean active = new AtomicBoolean();
  /** Created at the first outage: most applications never need it. */
  private volatile InMemoryStore local;

  LocalFallback(RateLimitStore shared, long maxClients, Clock clock, TollgateMetrics metrics) {
    this.servers = shared instanceof SharedStore ? Math.max(1, ((SharedStore) shared).expectedServers()) : 1;
    this.maxClients = maxClients;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * The stricter of two policies: closed over local over open. A rule without a policy of its own
   * ({@code b} null) follows the default rule's, which applies to every request anyway.
   */
  static Rule.StoreFailure stricter(Rule.StoreFailure a, Rule.StoreFailure b) {
    return b == null || a.ordinal() >= b.ordinal() ? a : b;
  }

  /**
   * The policy for this failure: a store that is only slow may still count the request, so it is
   * never admitted past (closed), whatever the rules say.
   */
  static Rule.StoreFailure policy(RuntimeException failure, Rule.StoreFailure configured) {
    return failure instanceof StoreSlowException ? Rule.StoreFailure.CLOSED : configured;
  }

  /**
   * The local decision when the policy for {@code failure} is local, else null. Dry-run buckets are
   * reported but cannot reject, as with the shared store.
   */
  AcquireResult decide(RuntimeException failure, Rule.StoreFailure configured, List<Bucket> all, List<Bucket> enforced,
      int cost) {
    if (policy(failure, configured) != Rule.StoreFailure.LOCAL) {
      return null;
    }
    if (!active.get() && active.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "Rate-limit store unavailable ({0}); rules with on-store-failure=local"
          + " now count on this server only{1}, until the store answers again.", failure.toString(),
          servers > 1 ? " with quotas divided by " + servers : "");
      metrics.localFallback(true);
    }
    InMemoryStore s = store();
    if (enforced.size() == all.size()) {
      return s.acquire(new AcquireRequest(scaled(all), cost));
    }
    AcquireResult enforcedResult = enforced.isEmpty() ? null : s.acquire(new AcquireRequest(scaled(enforced), cost));
    boolean admitted = enforcedResult == null || enforcedResult.admitted();
    List<Bucket> observed = new ArrayList<>(all);
    observed.removeAll(enforced);
    AcquireResult observedResult = s.acquire(new AcquireRequest(scaled(observed), admitted ? cost : 0));
    List<LimitUsage> usages = new ArrayList<>();
    int e = 0;
    int o = 0;
    for (Bucket b : all) {
      boolean isEnforced = enforced.contains(b);
      for (int l = 0; l < b.limits().size(); l++) {
        usages.add(isEnforced ? enforcedResult.usages().get(e++) : observedResult.usages().get(o++));
      }
    }
    return new AcquireResult(admitted, observedResult.nowMillis(), usages);
  }

  /** The shared store decided: if requests were being decided locally, they no longer are. */
  void storeAnswered() {
    if (active.get() && active.compareAndSet(true, false)) {
      LOG.log(System.Logger.Level.INFO, "Rate-limit store answers again; rules with on-store-failure=local"
          + " use the shared counts again (local counts are not added to them).");
      metrics.localFallback(false);
    }
  }

  /** Whether requests are being decided locally now. */
  boolean active() {
    return active.get();
  }

  private InMemoryStore store() {
    InMemoryStore s = local;
    if (s == null) {
      synchronized (this) {
        s = local;
        if (s == null) {
          s = InMemoryStore.create(maxClients, clock);
          local = s;
        }
      }
    }
    return s;
  }

  private List<Bucket> scaled(List<Bucket> buckets) {
    if (servers == 1) {
      return buckets;
    }
    List<Bucket> out = new ArrayList<>(buckets.size());
    for (Bucket b : buckets) {
      List<Limit> limits = new ArrayList<>(b.limits().size());
      for (Limit l : b.limits()) {
        // Rounded down, so that the servers together never exceed the shared quota.
        limits.add(l.withQuota(Math.max(1, l.quota() / servers)));
      }
      out.add(new Bucket(b.rule(), b.client(), limits, b.countRejected()));
    }
    return out;
  }
}
