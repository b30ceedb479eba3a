package dev.tollgate.core;

/**
 * Receives what Tollgate decides, for metrics. Implementations must be fast and thread-safe; they
 * are called on the request path. {@link dev.tollgate.core.micrometer.MicrometerMetrics} records
 * them in Micrometer. Client keys are never passed: per-client figures would have unbounded
 * cardinality (see {@link Tollgate#heaviestClients(int)} instead).
 */
public interface TollgateMetrics {

  /** Does nothing. */
  TollgateMetrics NONE = new TollgateMetrics() {};

  /**
   * A decision. {@code outcome} is the verdict's outcome; {@code dryRunRejected} is true when a
   * dry-run rule would have rejected the request but let it through.
   */
  default void decided(Verdict verdict, boolean dryRunRejected) {}

  /** The store answered in {@code nanos}. */
  default void storeLatency(long nanos) {}

  /** The store could not decide. */
  default void storeFailed(Throwable error) {}

  /**
   * Rules with {@code on-store-failure=local} switched to counting in this server's memory because
   * the store is unavailable ({@code true}), or back to the shared store ({@code false}).
   */
  default void localFallback(boolean active) {}

  /**
   * A request got the fallback plan because a plan resolver failed ({@code reason} {@code error})
   * or did not answer in time ({@code timeout}).
   */
  default void planFallback(String reason) {}

  /**
   * A completed request was measured for a limit in {@code unit}: {@code amount} milliseconds of
   * time or CPU, or bytes. Called once per unit and request, whatever the number of limits.
   */
  default void charged(QuotaUnit unit, long amount) {}

  /**
   * A charge after the response was lost (the shared store was unavailable); the client was not
   * charged.
   */
  default void chargeLost(Throwable error) {}
}
