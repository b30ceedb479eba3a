package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Bucket} without its client: the limits one rule applies, prepared once per configuration
 * so that deciding a request builds no bucket objects. Used by the engine with
 * {@link InMemoryStore#acquire(BucketSpec[], String[], int, long[])}.
 */
public final class BucketSpec {

  final String rule;
  final List<Limit> limits;
  final boolean countRejected;

  /**
   * @param rule the rule's name
   * @param limits the rule's limits, at least one
   * @param countRejected whether a rejected request is consumed from these limits all the same
   */
  public BucketSpec(String rule, List<Limit> limits, boolean countRejected) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.limits = List.copyOf(limits);
    this.countRejected = countRejected;
    if (this.limits.isEmpty()) {
      throw new IllegalArgumentException("a bucket needs at least one limit");
    }
  }

  /** The bucket of this rule for {@code client}, for stores reached through {@link RateLimitStore#acquire}. */
  public Bucket forClient(String client) {
    return new Bucket(rule, client, limits, countRejected);
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
}
