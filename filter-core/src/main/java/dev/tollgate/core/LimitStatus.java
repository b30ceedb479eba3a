package dev.tollgate.core;

import dev.tollgate.core.store.LimitUsage;
import java.util.concurrent.ConcurrentHashMap;

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

  /**
   * The name a limit of rule {@code rule} shows to clients: its own name under the default rule,
   * {@code <rule>.<name>} under any other, so names are unique within a response. Cached, since it
   * is needed for every limit of every response.
   */
  static String policyName(String rule, Limit limit) {
    if (rule.equals(Rule.DEFAULT)) {
      return limit.name();
    }
    return POLICY_NAMES
        .computeIfAbsent(rule, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(limit.name(), n -> rule + "." + n);
  }

  private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> POLICY_NAMES =
      new ConcurrentHashMap<>();

  static long ceilSeconds(long millis) {
    return millis <= 0 ? 0 : (millis + 999) / 1000;
  }
}
