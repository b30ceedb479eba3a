package dev.tollgate.core.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a request cost, known once its response is complete: charged to its buckets after the
 * response by {@link RateLimitStore#charge}.
 *
 * @param buckets the buckets the request was admitted under, in the order of its {@link
 *     AcquireRequest}
 * @param amounts per limit over all buckets, in that order: units to charge (time and CPU in
 *     milliseconds, bytes, or requests of a rule that counts by outcome), which may take the limit
 *     beyond its quota; a negative amount gives back units taken on admission (a refunded server
 *     error); 0 leaves the limit alone. Not copied: the caller does not change it afterwards.
 * @param admittedAtMillis the store's clock when the request was admitted, for refunds (units of a
 *     window that has passed are not given back)
 */
public record ChargeRequest(List<Bucket> buckets, long[] amounts, long admittedAtMillis) {

  /** A completed charge. */
  static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  /** Checks that there is an amount for every limit. */
  public ChargeRequest {
    buckets = List.copyOf(buckets);
    int n = 0;
    for (Bucket b : buckets) {
      n += b.limits().size();
    }
    if (amounts.length != n) {
      throw new IllegalArgumentException("expected " + n + " amounts but got " + amounts.length);
    }
  }
}
