package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import java.util.List;
import java.util.Objects;

/**
 * The limits one rule applies to one client. The counting state of a bucket is identified by {@code
 * (rule, client, limit.stateId())}, so rules never share counts even for the same client.
 *
 * @param rule the rule's name, e.g. {@code default} or {@code reports}
 * @param client the client key, already safe to store (secrets hashed, length bounded)
 * @param limits the limits, at least one
 * @param countRejected whether a rejected request is consumed from these limits all the same
 * @param requestsAfterResponse whether the request limits are charged after the response (the rule
 *     counts only failed or only successful responses): admission then checks them without
 *     consuming, as it does for limits in units other than requests
 */
public record Bucket(
    String rule,
    String client,
    List<Limit> limits,
    boolean countRejected,
    boolean requestsAfterResponse) {

  /** A bucket whose request limits are consumed on admission. */
  public Bucket(String rule, String client, List<Limit> limits, boolean countRejected) {
    this(rule, client, limits, countRejected, false);
  }

  /** Checks that every part is present. */
  public Bucket {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(client, "client");
    limits = List.copyOf(limits);
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("a bucket needs at least one limit");
    }
  }
}
