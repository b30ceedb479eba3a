package dev.tollgate.core.store;

import dev.tollgate.core.Limit;

/**
 * Where one limit stands after a decision.
 *
 * @param limit the limit
 * @param remaining quota units left now (after this request's cost if it was admitted)
 * @param resetMillis milliseconds until the remaining quota next grows: the end of a fixed window,
 *     the moment the oldest counted bucket of a rolling window leaves it, the next token of a
 *     bucket; 0 when nothing is used
 * @param retryAfterMillis 0 if this limit admitted the request; otherwise milliseconds until it
 *     would admit a request of the same cost, never less than {@code resetMillis}
 */
public record LimitUsage(Limit limit, long remaining, long resetMillis, long retryAfterMillis) {

  /** True if this limit is what rejected the request. */
  public boolean rejected() {
    return retryAfterMillis > 0;
  }

  /** Quota units used in the current window, as {@code quota - remaining}. */
  public long used() {
    return limit.quota() - remaining;
  }
}
