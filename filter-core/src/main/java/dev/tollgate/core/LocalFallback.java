package dev.tollgate.core;

import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreSlowException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

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
  private volatile @Nullable InMemoryStore local;

  LocalFallback(RateLimitStore shared, long maxClients, Clock clock, TollgateMetrics metrics) {
    this.servers =
        shared instanceof SharedStore ? Math.max(1, ((SharedStore) shared).expectedServers()) : 1;
    this.maxClients = maxClients;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** The stricter of two policies: closed over local over open. */
  static Rule.StoreFailure stricter(Rule.StoreFailure a, Rule.StoreFailure b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  /**
   * The policy for this failure: a store that is only slow may still count the request, so it is
   * never admitted past (closed), whatever the rules say.
   */
  static Rule.StoreFailure policy(RuntimeException failure, Rule.StoreFailure configured) {
    return failure instanceof StoreSlowException ? Rule.StoreFailure.CLOSED : configured;
  }

  /**
   * Switches to local counting for a failure under a local policy (logged and reported once per
   * outage) and returns the store to count in.
   */
  InMemoryStore switchTo(RuntimeException failure) {
    if (!active.get() && active.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Rate-limit store unavailable ({0}); rules with on-store-failure=local"
              + " now count on this server only{1}, until the store answers again.",
          failure.toString(),
          servers > 1 ? " with quotas divided by " + servers : "");
      metrics.localFallback(true);
    }
    return store();
  }

  /** {@code route} as this server enforces it alone: each quota divided by the expected servers. */
  Route local(Route route) {
    return route.dividedAmong(servers);
  }

  /** The shared store decided: if requests were being decided locally, they no longer are. */
  void storeAnswered() {
    if (active.get() && active.compareAndSet(true, false)) {
      LOG.log(
          System.Logger.Level.INFO,
          "Rate-limit store answers again; rules with on-store-failure=local"
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
}
