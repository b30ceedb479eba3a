package dev.tollgate.core;

import dev.tollgate.core.internal.Throttle;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.RateLimitStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an engine does once a request is complete: charges its measured costs to the store, and
 * reports charges that are lost. Never throws at the adapter.
 */
final class Charging {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private final RateLimitStore store;
  private final TollgateMetrics metrics;
  private final Throttle chargeWarnings;

  Charging(RateLimitStore store, TollgateMetrics metrics, Clock clock) {
    this.store = store;
    this.metrics = metrics;
    this.chargeWarnings = Throttle.perMinute(clock);
  }

  /**
   * Charges a completed request's costs ({@link Verdict#complete}): in memory at once, to a shared
   * store without waiting for it. Never throws; a charge the store loses is logged and counted.
   */
  void charge(Charge charge, long[] amounts, long wallNanos, long cpuNanos, long bytes) {
    Metering m = Objects.requireNonNull(charge.route.metering, "a charge's route is metered");
    if (m.time) {
      metrics.charged(QuotaUnit.TIME, Metering.millis(wallNanos));
    }
    if (m.cpu) {
      metrics.charged(QuotaUnit.CPU, Metering.millis(cpuNanos));
    }
    if (m.bytes) {
      metrics.charged(QuotaUnit.BYTES, bytes);
    }
    Route route = charge.route;
    try {
      if (charge.memory != null) {
        charge.memory.charge(route.specs, charge.clients, amounts, charge.admittedAtMillis);
        return;
      }
      List<Bucket> buckets = new ArrayList<>(route.specs.length);
      for (int i = 0; i < route.specs.length; i++) {
        buckets.add(route.specs[i].forClient(charge.clients[i]));
      }
      store
          .charge(new ChargeRequest(buckets, amounts, charge.admittedAtMillis))
          .whenComplete(
              (done, error) -> {
                if (error != null) {
                  chargeLost(error);
                }
              });
    } catch (RuntimeException e) {
      chargeLost(e);
    }
  }

  private void chargeLost(Throwable error) {
    metrics.chargeLost(error);
    if (chargeWarnings.tryAcquire()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "A charge after the response was lost ({0}); the client was not charged"
              + " for it. Further lost charges in the next minute are not logged.",
          error.toString());
    }
  }

  /** Something unexpected while completing a request: logged, never thrown at the adapter. */
  static void chargeFailed(RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "Tollgate could not charge a completed request", e);
  }

  /** Warns once at startup about limits an engine can only partly enforce. */
  static void warnAboutLimits(TollgateConfig config, RateLimitStore store, CostClock costClock) {
    boolean cpu = false;
    boolean after = false;
    List<Rule> rules = new ArrayList<>(config.rules());
    rules.add(config.defaultRule());
    for (Rule r : rules) {
      after |= r.counting() != Counting.ALL;
      for (Limit l : r.limits()) {
        cpu |= l.unit() == QuotaUnit.CPU;
        after |= l.unit().chargedAfterResponse();
      }
    }
    if (cpu && costClock.currentThreadCpuNanos() < 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "This JVM cannot measure thread CPU time: cpu limits charge wall time instead");
    }
    if (after && !store.charges()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "The store "
              + store.getClass().getName()
              + " cannot charge after the response:"
              + " limits in time, cpu or bytes and rules with count=failed|successful or refund-on-server-error"
              + " only check admission there and are never charged");
    }
  }
}
