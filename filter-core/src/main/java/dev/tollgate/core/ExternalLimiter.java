package dev.tollgate.core;

/**
 * A limiter Tollgate does not own, asked before Tollgate's own limits: for example a resilience4j
 * {@code RateLimiter} from an application's existing registry ({@link
 * dev.tollgate.core.resilience4j.Resilience4jLimiters}). Attach one to a rule with {@link
 * Rule.Builder#externalLimiter(ExternalLimiter)}.
 *
 * <p>It is asked first; if it refuses, the request is rejected and Tollgate's limits are not
 * touched. If it grants and a Tollgate limit then rejects, the external permit stays spent:
 * external limiters offer no way to give a permit back, so a request is never admitted beyond
 * either limit, but an external limiter may lose permits to requests Tollgate rejected.
 */
public interface ExternalLimiter {

  /**
   * Takes {@code permits} for {@code client} without waiting.
   *
   * @return 0 if granted; otherwise the milliseconds until they could be (at least 1)
   */
  long tryAcquire(String client, int permits);

  /** The policy name shown in headers and problem bodies. */
  String name();
}
