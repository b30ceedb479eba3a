package dev.tollgate.core;

import dev.tollgate.core.internal.Throttle;

/**
 * Reports a store that cannot decide: to the metrics every time, to the log at most once a minute
 * (an outage would otherwise log on every request).
 */
final class StoreFailures {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private final TollgateMetrics metrics;
  private final Throttle warnings;

  StoreFailures(TollgateMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.warnings = Throttle.perMinute(clock);
  }

  void report(RuntimeException e) {
    metrics.storeFailed(e);
    if (warnings.tryAcquire()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Rate-limit store cannot decide ({0}); applying each rule''s failure policy."
              + " Further failures in the next minute are not logged.",
          e.toString());
    }
  }
}
