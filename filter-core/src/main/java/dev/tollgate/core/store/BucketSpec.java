package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import dev.tollgate.core.QuotaUnit;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Bucket} without its client: the limits one rule applies, prepared once per configuration
 * so that deciding a request builds no bucket objects. Used by the engine with {@link
 * InMemoryStore#acquire(BucketSpec[], String[], int, long[])}.
 */
public final class BucketSpec {

  final String rule;
  final List<Limit> limits;
  final boolean countRejected;
  final boolean requestsAfterResponse;

  /**
   * Per limit, true if it is charged after the response (a unit other than requests, or requests of
   * a rule that counts by outcome): admission only checks it and consumes nothing. Null when no
   * limit is, so that plain rules pay nothing for it.
   */
  final boolean @Nullable [] afterResponse;

  /**
   * @param rule the rule's name
   * @param limits the rule's limits, at least one
   * @param countRejected whether a rejected request is consumed from these limits all the same
   */
  public BucketSpec(String rule, List<Limit> limits, boolean countRejected) {
    this(rule, limits, countRejected, false);
  }

  /**
   * @param requestsAfterResponse whether the rule's request limits are charged after the response
   *     (it counts only failed or only successful responses) rather than on admission
   */
  public BucketSpec(
      String rule, List<Limit> limits, boolean countRejected, boolean requestsAfterResponse) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.limits = List.copyOf(limits);
    this.countRejected = countRejected;
    this.requestsAfterResponse = requestsAfterResponse;
    if (this.limits.isEmpty()) {
      throw new IllegalArgumentException("a bucket needs at least one limit");
    }
    boolean[] after = new boolean[this.limits.size()];
    boolean any = false;
    for (int i = 0; i < after.length; i++) {
      after[i] = requestsAfterResponse || this.limits.get(i).unit().chargedAfterResponse();
      any |= after[i];
    }
    this.afterResponse = any ? after : null;
  }

  /**
   * The bucket of this rule for {@code client}, for stores reached through {@link
   * RateLimitStore#acquire}.
   */
  public Bucket forClient(String client) {
    return new Bucket(rule, client, limits, countRejected, requestsAfterResponse);
  }

  /**
   * What admission needs available from limit {@code l} for a request of {@code cost}: the cost, or
   * for a limit charged after the response one unit (a budget not yet exhausted).
   */
  public long need(int l, long cost) {
    boolean @Nullable [] after = afterResponse;
    return after == null || !after[l] || limits.get(l).unit() == QuotaUnit.REQUESTS
        ? cost
        : Math.min(cost, 1);
  }

  /** True if limit {@code l} is charged after the response, not on admission. */
  public boolean chargedAfterResponse(int l) {
    return afterResponse != null && afterResponse[l];
  }

  public String rule() {
    return rule;
  }

  public List<Limit> limits() {
    return limits;
  }

  public boolean countRejected() {
    return countRejected;
  }

  public boolean requestsAfterResponse() {
    return requestsAfterResponse;
  }
}
