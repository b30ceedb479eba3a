package dev.tollgate.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Rules declared in code beside the configuration, such as the JAX-RS provider's {@code @RateLimit}
 * annotations. Each declaration is checked against the configuration once: its name may be neither
 * the default rule's nor a configured rule's, its cost must fit the default rule's quotas, and its
 * page sizes default to the configuration's. Two declarations sharing a name must agree, since they
 * count against one rule. Thread-safe.
 */
public final class DeclaredRules {

  /** A setting's value meaning "as the configuration has it". */
  public static final int INHERIT = -1;

  /**
   * One declaration.
   *
   * @param where what declared it, for error messages (for example {@code @RateLimit on
   *     Api.list()})
   * @param name the rule's name
   * @param limits the rule's limits in the configuration's syntax ({@code "10/1m, 100/1h
   *     rolling"}); empty for none of its own
   * @param cost the cost of a request, or {@link #INHERIT}
   * @param pageSizeMax the largest page size, or {@link #INHERIT}
   * @param pageSizeDefault the page size of a request without one, or {@link #INHERIT}
   */
  public record Declaration(
      String where, String name, String limits, int cost, int pageSizeMax, int pageSizeDefault) {}

  private final TollgateConfig config;
  private final Consumer<Rule> onNewRule;
  private final Map<String, Rule> byName = new ConcurrentHashMap<>();

  /**
   * @param onNewRule told of each distinct rule once, for example so the status document lists it
   */
  public DeclaredRules(TollgateConfig config, Consumer<Rule> onNewRule) {
    this.config = config;
    this.onNewRule = onNewRule;
  }

  /**
   * The rule a declaration stands for: a new one, or the one declared earlier under its name.
   *
   * @throws IllegalArgumentException naming {@code where} if the declaration cannot be used
   */
  public Rule declare(Declaration d) {
    if (d.name().equals(Rule.DEFAULT)) {
      throw new IllegalArgumentException(
          d.where() + ": the name 'default' is the configuration's default rule");
    }
    for (Rule r : config.rules()) {
      if (r.name().equals(d.name())) {
        throw new IllegalArgumentException(
            d.where()
                + ": the name '"
                + d.name()
                + "' is already a configured rule (rules."
                + d.name()
                + ".*); give the annotation its own name");
      }
    }
    Rule rule;
    try {
      rule = build(d);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(d.where() + ": " + e.getMessage(), e);
    }
    Rule earlier = byName.putIfAbsent(d.name(), rule);
    if (earlier == null) {
      onNewRule.accept(rule);
      return rule;
    }
    if (!sameSettings(earlier, rule)) {
      throw new IllegalArgumentException(
          d.where()
              + ": another declaration named '"
              + d.name()
              + "' has different settings ("
              + earlier
              + "); set a distinct name");
    }
    return earlier;
  }

  private Rule build(Declaration d) {
    Rule.Builder b = Rule.builder(d.name()).limits(d.limits());
    if (d.cost() != INHERIT) {
      b.cost(d.cost());
      for (Limit l : config.defaultRule().limits()) {
        if (d.cost() > l.quota()) {
          throw new IllegalArgumentException(
              "cost "
                  + d.cost()
                  + " exceeds the quota of the default rule's limit "
                  + l
                  + ", so no request could pass");
        }
      }
    }
    if (d.pageSizeMax() != INHERIT || d.pageSizeDefault() != INHERIT) {
      b.pageSize(pageSize(d));
    }
    return b.build();
  }

  /** The default rule's parameters and invalid-value handling with the declaration's sizes. */
  private PageSizeRule pageSize(Declaration d) {
    if (d.pageSizeMax() != INHERIT && d.pageSizeMax() < 1) {
      throw new IllegalArgumentException(
          "pageSizeMax must be at least 1 (or -1 to keep the configuration's) but was "
              + d.pageSizeMax());
    }
    if (d.pageSizeDefault() != INHERIT && d.pageSizeDefault() < 1) {
      throw new IllegalArgumentException(
          "pageSizeDefault must be at least 1 (or -1 to keep the configuration's) but was "
              + d.pageSizeDefault());
    }
    PageSizeRule base = config.defaultRule().pageSize();
    int max = d.pageSizeMax() != INHERIT ? d.pageSizeMax() : base.maxSize();
    int dflt =
        d.pageSizeDefault() != INHERIT ? d.pageSizeDefault() : Math.min(base.defaultSize(), max);
    return PageSizeRule.of(base.parameters(), dflt, max, base.onInvalid());
  }

  private static boolean sameSettings(Rule a, Rule b) {
    return a.limits().equals(b.limits())
        && a.setsPageSize() == b.setsPageSize()
        && a.pageSize().equals(b.pageSize())
        && a.cost() == b.cost();
  }
}
