package dev.tollgate.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one tier of clients may do: its own limits in place of the default rule's (and, optionally,
 * of endpoint rules'), and optionally a cost, a page-size maximum and a concurrency cap. Immutable;
 * built with {@link #builder(String)} or from {@code plans.<name>.*} keys.
 *
 * <p>A plan's limits count in the buckets of the rule they replace, keyed by rule, client and
 * window: a client that changes plan keeps what it has used of each window (80 of free's 100 used
 * this minute, upgraded to pro's 1000, has 920 left). Their policy names carry the plan's name
 * ({@code pro-minute}, {@code reports.pro-minute}), so headers, problem bodies, the status document
 * and metrics tell which plan limited a client.
 */
public final class Plan {

  private final String name;
  private final @Nullable List<Limit> limits;
  private final Map<String, List<Limit>> ruleLimits;
  private final @Nullable Integer cost;
  private final @Nullable Integer pageSizeMax;
  private final @Nullable Integer maxConcurrent;
  private final List<String> clients;
  private final List<String> roles;

  private Plan(Builder b) {
    this.name = b.name;
    this.limits = b.limits == null ? null : renamed(b.name, b.limits);
    Map<String, List<Limit>> rl = new LinkedHashMap<>();
    b.ruleLimits.forEach((rule, l) -> rl.put(rule, renamed(b.name, l)));
    this.ruleLimits = Collections.unmodifiableMap(rl);
    this.cost = b.cost;
    this.pageSizeMax = b.pageSizeMax;
    this.maxConcurrent = b.maxConcurrent;
    this.clients = List.copyOf(b.clients);
    this.roles = List.copyOf(b.roles);
  }

  /**
   * Plan names are 1 to 32 letters, digits, {@code _} or {@code -}; they appear in policy names and
   * metric tags.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  private static List<Limit> renamed(String plan, List<Limit> limits) {
    List<Limit> out = new ArrayList<>(limits.size());
    for (Limit l : limits) {
      out.add(l.named(plan + "-" + l.name()));
    }
    return List.copyOf(out);
  }

  public String name() {
    return name;
  }

  /**
   * The limits in place of the default rule's, named {@code <plan>-<limit name>}; {@code null} to
   * keep the default rule's, empty for none at all.
   */
  public @Nullable List<Limit> limits() {
    return limits;
  }

  /** The limits in place of endpoint rules' own, by rule name (named like {@link #limits()}). */
  public Map<String, List<Limit>> ruleLimits() {
    return ruleLimits;
  }

  /**
   * Quota units a request takes under this plan, in place of the default rule's cost; or {@code
   * null}.
   */
  public @Nullable Integer cost() {
    return cost;
  }

  /** The largest page size this plan's clients may ask for, or {@code null} for the rules' own. */
  public @Nullable Integer pageSizeMax() {
    return pageSizeMax;
  }

  /**
   * The most requests a client on this plan may have in flight, or {@code null} for the global cap.
   */
  public @Nullable Integer maxConcurrent() {
    return maxConcurrent;
  }

  /**
   * The static mapping: client keys as Tollgate shows them, IP addresses and ranges on this plan.
   */
  public List<String> clients() {
    return clients;
  }

  /** Roles whose principals are on this plan (asked with {@link RequestView#isUserInRole}). */
  public List<String> roles() {
    return roles;
  }

  /** {@code rule} as a client on this plan is subject to it. */
  Rule apply(Rule rule) {
    List<Limit> replaced = rule.name().equals(Rule.DEFAULT) ? limits : ruleLimits.get(rule.name());
    boolean newCost = cost != null && rule.name().equals(Rule.DEFAULT);
    if (replaced == null && !newCost) {
      return rule;
    }
    Rule.Builder b = rule.toBuilder();
    if (replaced != null) {
      b.clearLimits().limits(replaced.toArray(new Limit[0]));
    }
    if (newCost) {
      b.cost(Objects.requireNonNull(cost, "newCost implies a cost"));
    }
    return b.build();
  }

  /** {@code rule} with its maximum lowered to this plan's (and its default to fit under it). */
  PageSizeRule apply(PageSizeRule rule) {
    if (pageSizeMax == null || rule == null || !rule.enabled() || rule.maxSize() <= pageSizeMax) {
      return rule;
    }
    return PageSizeRule.of(
        rule.parameters(),
        Math.min(rule.defaultSize(), pageSizeMax),
        pageSizeMax,
        rule.onInvalid());
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("plan ").append(name).append(':');
    if (limits != null) {
      s.append(" limits ").append(limits);
    }
    ruleLimits.forEach((r, l) -> s.append(' ').append(r).append(' ').append(l));
    if (cost != null) {
      s.append(" cost ").append(cost);
    }
    if (pageSizeMax != null) {
      s.append(" page size at most ").append(pageSizeMax);
    }
    if (maxConcurrent != null) {
      s.append(" at most ").append(maxConcurrent).append(" in flight");
    }
    return s.toString();
  }

  /** Builds a {@link Plan}; each setter checks its argument at once. */
  public static final class Builder {
    private final String name;
    private @Nullable List<Limit> limits;
    private final Map<String, List<Limit>> ruleLimits = new LinkedHashMap<>();
    private @Nullable Integer cost;
    private @Nullable Integer pageSizeMax;
    private @Nullable Integer maxConcurrent;
    private final List<String> clients = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_-]{1,32}")) {
        throw new IllegalArgumentException(
            "plan name must be 1 to 32 letters, digits, '_' or '-' but was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * The limits in place of the default rule's; none (empty) means this plan's clients have no
     * default limits.
     */
    public Builder limits(Limit... replacing) {
      this.limits = Limit.requireDistinctNames(List.of(replacing));
      return this;
    }

    /** The limits in place of the endpoint rule {@code rule}'s own. */
    public Builder ruleLimits(String rule, Limit... replacing) {
      ruleLimits.put(
          Objects.requireNonNull(rule, "rule"), Limit.requireDistinctNames(List.of(replacing)));
      return this;
    }

    /** Quota units each request takes, in place of the default rule's cost. */
    public Builder cost(int units) {
      if (units < 1) {
        throw new IllegalArgumentException("cost must be at least 1 but was " + units);
      }
      this.cost = units;
      return this;
    }

    /** The largest page size this plan's clients may ask for. */
    public Builder pageSizeMax(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("page size maximum must be at least 1 but was " + max);
      }
      this.pageSizeMax = max;
      return this;
    }

    /** The most requests one client on this plan may have in flight on this server. */
    public Builder maxConcurrent(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("concurrency cap must be at least 1 but was " + max);
      }
      this.maxConcurrent = max;
      return this;
    }

    /** Puts clients on this plan: client keys as Tollgate shows them, IP addresses or ranges. */
    public Builder clients(String... entries) {
      for (String e : entries) {
        clients.add(Suspensions.check("plans." + name + ".clients", e));
      }
      return this;
    }

    /** Puts principals in these roles on this plan. */
    public Builder roles(String... names) {
      for (String r : names) {
        if (r == null || r.isBlank()) {
          throw new IllegalArgumentException("a role name must not be blank");
        }
        roles.add(r.trim());
      }
      return this;
    }

    /** The immutable plan. */
    public Plan build() {
      if (cost != null) {
        List<Limit> all = new ArrayList<>(limits == null ? List.of() : limits);
        for (Limit l : all) {
          if (cost > l.quota()) {
            throw new IllegalArgumentException(
                "cost " + cost + " exceeds the quota of " + l + ", so no request could pass");
          }
        }
      }
      return new Plan(this);
    }
  }
}
