package dev.tollgate.core.store;

import java.util.List;

/**
 * The store's decision.
 *
 * @param admitted true if every limit admitted the request (and it was consumed)
 * @param nowMillis the store's clock at the decision, for absolute reset times
 * @param usages one per limit, in the order of the request's buckets and their limits
 */
public record AcquireResult(boolean admitted, long nowMillis, List<LimitUsage> usages) {

  /** Copies {@code usages}, so the result is immutable. */
  public AcquireResult {
    usages = List.copyOf(usages);
  }
}
