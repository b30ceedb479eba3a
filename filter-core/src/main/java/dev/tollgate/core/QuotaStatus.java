package dev.tollgate.core;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreCalls;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The quota status document of an engine ({@link Tollgate#status}): every rule's limits for the
 * caller, extra rules included, read from the store without consuming anything. One per engine.
 */
final class QuotaStatus {

  private final RateLimitStore store;
  private final Clock clock;
  private final TollgateMetrics metrics;
  private final StoreFailures storeFailures;

  /**
   * Extra rules seen or reported, for the status document; bounded by the application's
   * annotations.
   */
  private final ConcurrentHashMap<String, Rule> extraRules = new ConcurrentHashMap<>();

  QuotaStatus(
      RateLimitStore store, Clock clock, TollgateMetrics metrics, StoreFailures storeFailures) {
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    this.storeFailures = storeFailures;
  }

  /** Lists {@code extraRule} in the document from now on (a rule already listed is kept). */
  void remember(Rule extraRule) {
    if (!extraRules.containsKey(extraRule.name())) {
      extraRules.putIfAbsent(extraRule.name(), extraRule);
    }
  }

  /** The status document of the client of {@code request} under {@code c}. */
  Verdict status(TollgateConfig c, RequestView request) {
    Map<ClientKeyResolver, String> keys = new IdentityHashMap<>();
    Plan plan = null;
    if (c.plans() != null) {
      String client = ClientKeys.keyOf(c.clientKey(), request);
      keys.put(c.clientKey(), client);
      plan = c.plans().resolve(request, client, c.clientIp(), metrics);
    }
    List<Bucket> buckets = statusBuckets(c, plan, keys, request);
    List<LimitStatus> limits = List.of();
    long now = clock.millis();
    if (!buckets.isEmpty()) {
      try {
        long start = System.nanoTime();
        AcquireResult result = StoreCalls.acquire(store, new AcquireRequest(buckets, 0));
        metrics.storeLatency(System.nanoTime() - start);
        limits = new ArrayList<>();
        int i = 0;
        for (Bucket b : buckets) {
          for (int l = 0; l < b.limits().size(); l++, i++) {
            LimitUsage u = result.usages().get(i);
            limits.add(new LimitStatus(b.rule(), LimitStatus.policyName(b.rule(), u.limit()), u));
          }
        }
        now = result.nowMillis();
      } catch (RuntimeException e) {
        storeFailures.report(e);
        return Verdict.storeUnavailable(PageSizeOutcome.disabled(), Rule.DEFAULT);
      }
    }
    return Verdict.status(
        StatusDocument.write(limits, now, plan == null ? null : plan.name()), limits);
  }

  /** A bucket for every rule with limits, the extra rules included, under the client's plan. */
  private List<Bucket> statusBuckets(
      TollgateConfig c,
      @Nullable Plan plan,
      Map<ClientKeyResolver, String> keys,
      RequestView request) {
    List<Rule> rules = new ArrayList<>();
    rules.add(c.defaultRule());
    rules.addAll(c.rules());
    rules.addAll(extraRules.values());
    List<Bucket> buckets = new ArrayList<>();
    for (Rule configured : rules) {
      Rule r = plan == null ? configured : plan.apply(configured);
      if (!r.limits().isEmpty()) {
        String client =
            keys.computeIfAbsent(
                c.resolve(r).clientKey(), resolver -> ClientKeys.keyOf(resolver, request));
        buckets.add(new Bucket(r.name(), client, r.limits(), false));
      }
    }
    return buckets;
  }
}
