package dev.tollgate.core;

import dev.tollgate.core.internal.Instants;
import dev.tollgate.core.store.BucketSpec;
import dev.tollgate.core.store.LimitUsage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
  final @Nullable Plan plan;

  final @Nullable String planTag;

  /**
   * The most requests one client may have in flight (the plan's cap, else the configuration's); 0
   * for no limit.
   */
  final int maxConcurrent;

  /** With plans: this route for each plan, in the order of {@link Plans#all()}. */
  private final Route @Nullable [] byPlan;

  /** What is charged after the response; null when nothing is (most routes). */
  final @Nullable Metering metering;

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

  /** The configuration this route is part of: its header dialects, plans and caps. */
  final TollgateConfig config;

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
      @Nullable Plan plan) {
    this.config = c;
    this.plan = plan;
    this.planTag = c.plans() == null ? null : plan == null ? "none" : plan.name();
    this.maxConcurrent =
        plan != null && plan.maxConcurrent() != null
            ? plan.maxConcurrent()
            : c.maxConcurrentPerClient();
    this.quotasDividedBy = quotasDividedBy;
    this.applying = List.copyOf(applying);
    this.cost = cost(applying);
    this.onFailure = onFailure(applying);
    this.hasExternalLimiters = hasExternalLimiter(applying);
    List<Rule> specRules = withLimits(applying);
    this.specs = specs(specRules, quotasDividedBy);
    this.resolvers = resolvers(specRules);
    this.enforcedAt = positions(specRules, false);
    this.observedAt = positions(specRules, true);
    this.enforced = select(this.specs, this.enforcedAt);
    this.observed = select(this.specs, this.observedAt);
    this.mostSpecific = mostSpecific;
    this.pageSizeRule = pageSizeRule;
    this.policies = policies(this.specs);
    this.ietfPolicy = ietfPolicy(this.policies);
    this.draft6Policy = draft6Policy(this.policies);
    this.metering = Metering.of(specRules, this.specs, cost);
    this.mixedUnits = mixedUnits(this.policies);
    this.byPlan =
        plan != null || c.plans() == null || quotasDividedBy != 1 ? null : forEachPlan(c.plans());
  }

  /** The highest cost of the rules (a plan may change the default rule's cost). */
  private static int cost(List<Rule> applying) {
    int cost = applying.get(0).cost(); // the default rule, as this route's plan has it
    for (Rule r : applying) {
      cost = Math.max(cost, r.ownCost());
    }
    return cost;
  }

  /** The strictest failure policy of the rules. */
  private static Rule.StoreFailure onFailure(List<Rule> applying) {
    Rule.StoreFailure onFailure = Rule.StoreFailure.OPEN;
    for (Rule r : applying) {
      onFailure = LocalFallback.stricter(onFailure, r.onStoreFailure());
    }
    return onFailure;
  }

  private static boolean hasExternalLimiter(List<Rule> applying) {
    for (Rule r : applying) {
      if (r.externalLimiter() != null) {
        return true;
      }
    }
    return false;
  }

  /** The rules that have limits: one store bucket each. */
  private static List<Rule> withLimits(List<Rule> applying) {
    List<Rule> out = new ArrayList<>(applying.size());
    for (Rule r : applying) {
      if (!r.limits().isEmpty()) {
        out.add(r);
      }
    }
    return out;
  }

  private static BucketSpec[] specs(List<Rule> specRules, int quotasDividedBy) {
    BucketSpec[] out = new BucketSpec[specRules.size()];
    for (int i = 0; i < out.length; i++) {
      Rule r = specRules.get(i);
      out[i] =
          new BucketSpec(
              r.name(),
              divided(r.limits(), quotasDividedBy),
              r.countRejected(),
              r.counting().requestsAfterResponse());
    }
    return out;
  }

  private static ClientKeyResolver[] resolvers(List<Rule> specRules) {
    ClientKeyResolver[] out = new ClientKeyResolver[specRules.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = specRules.get(i).clientKey();
    }
    return out;
  }

  /** The positions of the dry-run rules' specs, or of the enforced ones'. */
  private static int[] positions(List<Rule> specRules, boolean dryRun) {
    int n = 0;
    for (Rule r : specRules) {
      n += r.dryRun() == dryRun ? 1 : 0;
    }
    int[] out = new int[n];
    for (int i = 0, at = 0; i < specRules.size(); i++) {
      if (specRules.get(i).dryRun() == dryRun) {
        out[at++] = i;
      }
    }
    return out;
  }

  private static Policy[] policies(BucketSpec[] specs) {
    List<Policy> out = new ArrayList<>();
    for (BucketSpec spec : specs) {
      for (Limit l : spec.limits()) {
        out.add(new Policy(spec.rule(), l));
      }
    }
    return out.toArray(new Policy[0]);
  }

  private static String ietfPolicy(Policy[] policies) {
    StringBuilder ietf = new StringBuilder();
    for (Policy p : policies) {
      separate(ietf).append('"').append(p.name).append("\";q=").append(p.limit.quota());
      if (p.limit.unit() != QuotaUnit.REQUESTS) {
        ietf.append(";qu=\"").append(p.limit.unit().ietfName()).append('"');
      }
      ietf.append(";w=").append(p.limit.window().getSeconds());
    }
    return ietf.toString();
  }

  private static String draft6Policy(Policy[] policies) {
    StringBuilder draft6 = new StringBuilder();
    for (Policy p : policies) {
      separate(draft6).append(p.quotaAndWindow);
    }
    return draft6.toString();
  }

  private static boolean mixedUnits(Policy[] policies) {
    for (Policy p : policies) {
      if (p.limit.unit() != QuotaUnit.REQUESTS) {
        return true;
      }
    }
    return false;
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
  Route forPlan(@Nullable Plan p) {
    Plans plans = config.plans(); // never null when byPlan is set
    if (p == null || byPlan == null || plans == null) {
      return this;
    }
    int i = plans.indexOf(p);
    return i < 0 ? this : byPlan[i];
  }

  /**
   * The route of requests to which {@code applying} apply: the default rule first, then the
   * matching endpoint rules, then an extra rule.
   */
  static Route of(
      TollgateConfig c, List<Rule> applying, String mostSpecific, PageSizeRule pageSizeRule) {
    return new Route(c, applying, mostSpecific, pageSizeRule, 1, null);
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
   * A text of a 429 and the numbers it was made from, so that the next 429 with the same numbers
   * sends it again. Replaced whole, so a reader sees a text with its own numbers.
   */
  static final class Remembered {
    final long[] numbers;
    final String value;

    Remembered(long[] numbers, String value) {
      this.numbers = numbers;
      this.value = value;
    }
  }

  /**
   * The {@code RateLimit} value of this route's last 429 and its remaining and {@code t} per limit
   * (see {@link HeaderWriter}); null until one.
   */
  volatile @Nullable Remembered lastRejectedRateLimit;

  /**
   * The last 429 problem body of this route: a client over its quota gets the same one for a
   * second.
   */
  private volatile @Nullable Remembered lastProblem; // numbers: violated limits, retry after

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
    Remembered last = lastProblem;
    if (last != null
        && last.numbers[0] == violated
        && last.numbers[1] == retryAfter
        && policies.length <= 64) {
      return last.value;
    }
    String body = Problems.quotaExceeded(limitStatuses(usage), retryAfter, plan);
    lastProblem = new Remembered(new long[] {violated, retryAfter}, body);
    return body;
  }

  /** The limits of this route as the store answered them in {@code usage}. */
  List<LimitStatus> limitStatuses(long[] usage) {
    List<LimitStatus> out = new ArrayList<>(policies.length);
    for (int i = 0; i < policies.length; i++) {
      Policy p = policies[i];
      LimitUsage u =
          new LimitUsage(
              p.limit,
              HeaderWriter.remaining(usage, i),
              HeaderWriter.resetMillis(usage, i),
              HeaderWriter.retryAfterMillis(usage, i));
      out.add(new LimitStatus(p.rule, p.name, u));
    }
    return Collections.unmodifiableList(out);
  }

  /** The number of limits in force, over every bucket. */
  int limitCount() {
    return policies.length;
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
