package dev.tollgate.core;

import dev.tollgate.core.internal.Instants;
import dev.tollgate.core.store.BucketSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the configuration decides about one method and path, worked out once: the rules that
 * apply and the store buckets they count in, the cost and failure policy, the page-size rule, the
 * policy names and the header values that never change. A request then needs one cache lookup
 * ({@link Routes}) and no rule matching. Immutable.
 */
final class Route {

  /**
   * Every rule that applies: the default rule first, then matching endpoint rules, then the extra
   * rule.
   */
  final List<Rule> applying;

  /** The rules of {@link #applying} that have limits, as store buckets, in the same order. */
  final BucketSpec[] specs;

  /** The client key chain of each spec's rule. */
  final ClientKeyResolver[] resolvers;

  /** The specs of enforced rules and of dry-run rules, with their positions in {@link #specs}. */
  final BucketSpec[] enforced;

  final int[] enforcedAt;
  final BucketSpec[] observed;
  final int[] observedAt;
  final boolean hasExternalLimiters;
  final int cost;
  final Rule.StoreFailure onFailure;

  /** The name of the most specific rule, for logs, metrics and {@link Verdict#rule()}. */
  final String mostSpecific;

  final PageSizeRule pageSizeRule;

  /** Every limit in force, flattened in bucket order. */
  final Policy[] policies;

  /** The {@code RateLimit-Policy} value of the IETF dialect. */
  final String ietfPolicy;

  /** The {@code RateLimit-Policy} value of the draft-6 dialect. */
  final String draft6Policy;

  /**
   * The plan this route is for, or null; its name (or {@code none}) when the configuration has
   * plans.
   */
  final Plan plan;

  final String planTag;

  /**
   * The most requests one client may have in flight (the plan's cap, else the configuration's); 0
   * for no limit.
   */
  final int maxConcurrent;

  /** With plans: this route for each plan, in the order of {@link Plans#all()}. */
  private final Route[] byPlan;

  /** What is charged after the response; null when nothing is (most routes). */
  final Metering metering;

  /** True if a limit counts something other than requests. */
  final boolean mixedUnits;

  /** One limit as clients see it, with the parts of its header values that never change. */
  static final class Policy {
    final String rule;
    final String name;
    final Limit limit;
    final String quota;

    /** {@code "name";r=}: the start of this limit's item in the IETF {@code RateLimit} field. */
    final String ietfItem;

    /** {@code 100;w=60}: the older dialects' limit with its window. */
    final String quotaAndWindow;

    /** {@code 1m}: TEOS's window. */
    final String teosWindow;

    /** The last TEOS reset instant and its text: most responses in a window share it. */
    private volatile Object[] lastTeosReset = {Long.MIN_VALUE, ""};

    Policy(String rule, Limit limit) {
      this.rule = rule;
      this.name = LimitStatus.policyName(rule, limit);
      this.limit = limit;
      this.quota = Long.toString(limit.quota());
      this.ietfItem = "\"" + name + "\";r=";
      this.quotaAndWindow = limit.quota() + ";w=" + limit.window().getSeconds();
      this.teosWindow = Limit.formatDuration(limit.window());
    }

    String teosReset(long epochMillis) {
      Object[] last = lastTeosReset;
      if ((Long) last[0] == epochMillis) {
        return (String) last[1];
      }
      String formatted = Instants.dotNetRoundTrip(epochMillis);
      lastTeosReset = new Object[] {epochMillis, formatted};
      return formatted;
    }
  }

  private final TollgateConfig config;
  private final int quotasDividedBy;

  /**
   * @param quotasDividedBy 1, or the number of servers among which each quota is divided (for
   *     counting on this server alone while a shared store is unavailable)
   */
  private Route(
      TollgateConfig c,
      List<Rule> applying,
      String mostSpecific,
      PageSizeRule pageSizeRule,
      int quotasDividedBy,
      Plan plan) {
    this.config = c;
    this.plan = plan;
    this.planTag = c.plans() == null ? null : plan == null ? "none" : plan.name();
    this.maxConcurrent =
        plan != null && plan.maxConcurrent() != null
            ? plan.maxConcurrent()
            : c.maxConcurrentPerClient();
    this.quotasDividedBy = quotasDividedBy;
    this.applying = List.copyOf(applying);
    List<BucketSpec> specs = new ArrayList<>(applying.size());
    List<ClientKeyResolver> resolvers = new ArrayList<>(applying.size());
    List<Integer> enforcedAt = new ArrayList<>();
    List<Integer> observedAt = new ArrayList<>();
    List<Policy> policies = new ArrayList<>();
    List<Rule> specRules = new ArrayList<>(applying.size());
    Rule first = applying.get(0); // the default rule, as this route's plan has it
    int cost = first.cost();
    Rule.StoreFailure onFailure = Rule.StoreFailure.OPEN;
    boolean external = false;
    for (Rule r : applying) {
      cost = Math.max(cost, r.ownCost()); // a plan may change the default rule's cost
      onFailure = LocalFallback.stricter(onFailure, r.onStoreFailure());
      external |= r.externalLimiter() != null;
      if (r.limits().isEmpty()) {
        continue;
      }
      (r.dryRun() ? observedAt : enforcedAt).add(specs.size());
      List<Limit> limits = divided(r.limits(), quotasDividedBy);
      specs.add(
          new BucketSpec(
              r.name(), limits, r.countRejected(), r.counting().requestsAfterResponse()));
      specRules.add(r);
      resolvers.add(r.clientKey());
      for (Limit l : limits) {
        policies.add(new Policy(r.name(), l));
      }
    }
    this.specs = specs.toArray(new BucketSpec[0]);
    this.resolvers = resolvers.toArray(new ClientKeyResolver[0]);
    this.enforcedAt = toArray(enforcedAt);
    this.observedAt = toArray(observedAt);
    this.enforced = select(this.specs, this.enforcedAt);
    this.observed = select(this.specs, this.observedAt);
    this.hasExternalLimiters = external;
    this.cost = cost;
    this.onFailure = onFailure;
    this.mostSpecific = mostSpecific;
    this.pageSizeRule = pageSizeRule;
    this.policies = policies.toArray(new Policy[0]);
    StringBuilder ietf = new StringBuilder();
    StringBuilder draft6 = new StringBuilder();
    for (Policy p : this.policies) {
      separate(ietf).append('"').append(p.name).append("\";q=").append(p.limit.quota());
      if (p.limit.unit() != QuotaUnit.REQUESTS) {
        ietf.append(";qu=\"").append(p.limit.unit().ietfName()).append('"');
      }
      ietf.append(";w=").append(p.limit.window().getSeconds());
      separate(draft6).append(p.quotaAndWindow);
    }
    this.ietfPolicy = ietf.toString();
    this.draft6Policy = draft6.toString();
    this.metering = Metering.of(specRules, this.specs, cost);
    boolean mixed = false;
    for (Policy p : this.policies) {
      mixed |= p.limit.unit() != QuotaUnit.REQUESTS;
    }
    this.mixedUnits = mixed;
    this.byPlan =
        plan != null || c.plans() == null || quotasDividedBy != 1 ? null : forEachPlan(c.plans());
  }

  private Route[] forEachPlan(Plans plans) {
    Route[] out = new Route[plans.all().size()];
    for (int i = 0; i < out.length; i++) {
      Plan p = plans.all().get(i);
      List<Rule> rules = new ArrayList<>(applying.size());
      for (Rule r : applying) {
        rules.add(p.apply(r));
      }
      out[i] = new Route(config, rules, mostSpecific, p.apply(pageSizeRule), 1, p);
    }
    return out;
  }

  /** This route as a client on {@code p} is subject to it; this route itself for no plan. */
  Route forPlan(Plan p) {
    if (p == null || byPlan == null) {
      return this;
    }
    int i = config.plans().indexOf(p);
    return i < 0 ? this : byPlan[i];
  }

  /** The route of a request under {@code c}, plus {@code extraRule} if not null. */
  static Route of(TollgateConfig c, String method, String path, Rule extraRule) {
    List<Rule> applying = new ArrayList<>(3);
    applying.add(c.defaultRule());
    for (Rule r : c.rules()) {
      if (r.matches(method, path)) {
        applying.add(r);
      }
    }
    if (extraRule != null) {
      extraRule = c.resolve(extraRule);
      applying.add(extraRule);
    }
    Rule best = mostSpecific(c, method, path, false);
    String mostSpecific =
        extraRule != null ? extraRule.name() : best == null ? Rule.DEFAULT : best.name();
    PageSizeRule pageSize;
    if (extraRule != null && extraRule.setsPageSize()) {
      pageSize = extraRule.pageSize();
    } else {
      Rule withPageSize = mostSpecific(c, method, path, true);
      pageSize = withPageSize != null ? withPageSize.pageSize() : c.defaultRule().pageSize();
    }
    return new Route(c, applying, mostSpecific, pageSize, 1, null);
  }

  /**
   * This route with each quota divided by {@code servers} (rounded down, at least 1, so that the
   * servers together never exceed the shared quota): what one server enforces alone.
   */
  Route dividedAmong(int servers) {
    return servers <= 1
        ? this
        : new Route(config, applying, mostSpecific, pageSizeRule, quotasDividedBy * servers, plan);
  }

  private static List<Limit> divided(List<Limit> limits, int by) {
    if (by == 1) {
      return limits;
    }
    List<Limit> out = new ArrayList<>(limits.size());
    for (Limit l : limits) {
      out.add(l.withQuota(Math.max(1, l.quota() / by)));
    }
    return out;
  }

  /**
   * The most specific matching endpoint rule (ties: the first declared), optionally only those with
   * a page-size rule.
   */
  private static Rule mostSpecific(
      TollgateConfig c, String method, String path, boolean withPageSize) {
    Rule best = null;
    int bestScore = -1;
    for (Rule r : c.rules()) {
      if ((withPageSize && !r.setsPageSize()) || !r.matches(method, path)) {
        continue;
      }
      int score = r.specificity(path);
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * The last 429 problem body of this route: a client over its quota gets the same one for a
   * second.
   */
  private volatile Object[] lastProblem = {-1L, -1L, ""};

  /**
   * The 429 problem body for the limits that rejected in {@code usage}, with {@code retryAfter}.
   * Remembered: under a flood the same body is sent until the retry time changes.
   */
  String quotaExceeded(long[] usage, long retryAfter) {
    long violated = 0;
    for (int i = 0; i < policies.length && i < 64; i++) {
      if (HeaderWriter.retryAfterMillis(usage, i) > 0) {
        violated |= 1L << i;
      }
    }
    Object[] last = lastProblem;
    if ((Long) last[0] == violated && (Long) last[1] == retryAfter && policies.length <= 64) {
      return (String) last[2];
    }
    String body = Problems.quotaExceeded(LimitStatus.all(this, usage), retryAfter, plan);
    lastProblem = new Object[] {violated, retryAfter, body};
    return body;
  }

  /** The number of limits in force, over every bucket. */
  int limitCount() {
    return policies.length;
  }

  private static int[] toArray(List<Integer> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private static BucketSpec[] select(BucketSpec[] specs, int[] at) {
    BucketSpec[] out = new BucketSpec[at.length];
    for (int i = 0; i < at.length; i++) {
      out[i] = specs[at[i]];
    }
    return out;
  }

  private static StringBuilder separate(StringBuilder s) {
    return s.length() == 0 ? s : s.append(", ");
  }
}
