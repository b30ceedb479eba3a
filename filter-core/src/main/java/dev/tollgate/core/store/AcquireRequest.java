package dev.tollgate.core.store;

import java.util.List;

/**
 * One request's claim on its buckets.
 *
 * @param buckets the buckets that apply, in order (the default rule's first); at least one
 * @param cost quota units the request takes from every limit; zero only reports usage
 */
public record AcquireRequest(List<Bucket> buckets, int cost) {

  /** Copies {@code buckets}, so the request is immutable. */
  public AcquireRequest {
    buckets = List.copyOf(buckets);
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException("at least one bucket is required");
    }
    if (cost < 0) {
      throw new IllegalArgumentException("cost must not be negative but was " + cost);
    }
  }

  /** The number of limits over all buckets, the size of {@link AcquireResult#usages()}. */
  public int limitCount() {
    int n = 0;
    for (Bucket b : buckets) {
      n += b.limits().size();
    }
    return n;
  }
}
