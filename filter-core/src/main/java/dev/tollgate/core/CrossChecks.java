package dev.tollgate.core;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The checks {@link TollgateConfig.Builder} makes on the rules it is given: what the default rule
 * and an endpoint rule must be, and once every rule is known, a cost no request could pay or a plan
 * that names no rule.
 */
final class CrossChecks {

  private CrossChecks() {}

  /** Fails unless {@code rule} can be the default rule: named so, and with no paths or methods. */
  static void defaultRule(Rule rule) {
    if (!rule.name().equals(Rule.DEFAULT)) {
      throw new ConfigException(
          "rules." + Rule.DEFAULT,
          "the default rule must be named '" + Rule.DEFAULT + "' but was '" + rule.name() + "'");
    }
    if (!rule.paths().isEmpty() || !rule.methods().isEmpty()) {
      String key = rule.paths().isEmpty() ? "methods" : "path";
      throw new ConfigException(
          "rules." + Rule.DEFAULT + "." + key,
          "the default rule covers every request and takes no " + key);
    }
  }

  /** Fails unless {@code rule} can join endpoint rules named {@code taken}. */
  static void endpointRule(Rule rule, Set<String> taken) {
    String key = "rules." + rule.name();
    if (rule.name().equals(Rule.DEFAULT)) {
      throw new ConfigException(key, "use defaultRule(...) for the default rule");
    }
    if (taken.contains(rule.name())) {
      throw new ConfigException(key, "a rule named '" + rule.name() + "' was already added");
    }
    if (rule.paths().isEmpty() && rule.methods().isEmpty()) {
      throw new ConfigException(
          key + ".path",
          "is missing: an endpoint rule needs a path (or methods) to say which requests it covers");
    }
  }

  /**
   * Fails for {@code rules.<r>.cost} if a request on endpoint rule {@code r} costs more than a
   * quota in force: the largest cost among the applying rules is taken from every limit in force.
   */
  static void cost(Rule defaultRule, Rule r) {
    int cost = Math.max(defaultRule.cost(), r.ownCost());
    for (Limit l : defaultRule.limits()) {
      if (cost > l.quota()) {
        throw new ConfigException(
            "rules." + r.name() + ".cost",
            "cost " + cost + " exceeds the quota of the default rule's limit " + l + NO_REQUEST);
      }
    }
    for (Limit l : r.limits()) {
      if (cost > l.quota()) {
        throw new ConfigException(
            "rules." + r.name() + ".cost",
            "cost "
                + cost
                + (r.ownCost() < cost ? " (the default rule's)" : "")
                + " exceeds the quota of "
                + l
                + NO_REQUEST);
      }
    }
  }

  private static final String NO_REQUEST = ", so no request could pass";

  /**
   * Fails with {@link ConfigException} if plan {@code p} names a rule that does not exist, or a
   * cost no request could pay.
   */
  static void plan(Plan p, Rule defaultRule, Collection<Rule> rules) {
    for (String name : p.ruleLimits().keySet()) {
      if (rules.stream().noneMatch(r -> r.name().equals(name))) {
        throw new ConfigException(
            "plans." + p.name() + ".rules." + name + ".limits", "names no endpoint rule");
      }
    }
    // The plan's cost, or else its limits, is what makes the default rule's cost too high.
    String planKey = "plans." + p.name() + (p.cost() != null ? ".cost" : ".limits");
    Rule planDefault = applied(p, defaultRule, planKey);
    for (Rule r : rules) {
      Rule planRule = applied(p, r, "plans." + p.name() + ".rules." + r.name() + ".limits");
      int cost = Math.max(planDefault.cost(), planRule.ownCost());
      for (Rule inForce : List.of(planDefault, planRule)) {
        for (Limit l : inForce.limits()) {
          if (cost > l.quota()) {
            throw new ConfigException(
                planKey,
                "cost "
                    + cost
                    + " exceeds the quota of "
                    + l
                    + " (rule "
                    + inForce.name()
                    + ")"
                    + NO_REQUEST);
          }
        }
      }
    }
  }

  /** {@code rule} as plan {@code p} has it; a rule it cannot build is an error for {@code key}. */
  private static Rule applied(Plan p, Rule rule, String key) {
    try {
      return p.apply(rule);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }
}
