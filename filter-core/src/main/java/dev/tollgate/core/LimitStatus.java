package dev.tollgate.core;

import dev.tollgate.core.store.LimitUsage;

/**
 * One limit in force for a request, after the decision.
 *
 * @param rule the name of the rule the limit belongs to
 * @param policy the policy name shown to clients: the limit's name under the default rule, {@code
 *     <rule>.<limit name>} under an endpoint rule, so names are unique in a response
 * @param usage quota, remaining, reset and retry time
 */
public record LimitStatus(String rule, String policy, LimitUsage usage) {

  /** Seconds until the remaining quota next grows, rounded up (never a misleading 0). */
  public long resetSeconds() {
    return ceilSeconds(usage.resetMillis());
  }

  static long ceilSeconds(long millis) {
    return millis <= 0 ? 0 : (millis + 999) / 1000;
  }
}
