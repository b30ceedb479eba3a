package dev.tollgate.core.micrometer;

import dev.tollgate.core.LimitStatus;
import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.QuotaUnit;
import dev.tollgate.core.TollgateMetrics;
import dev.tollgate.core.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records decisions in Micrometer. Tags are bounded: rule names, policy names and outcomes come
 * from the configuration, never from clients.
 *
 * <ul>
 *   <li>{@code tollgate.requests} (counter; tags {@code rule}, {@code outcome}: admitted,
 *       rate_limited, dry_run_rejected, suspended, concurrency_limited, invalid_page_size,
 *       store_unavailable, status)
 *   <li>{@code tollgate.limit.rejections} (counter; tags {@code rule}, {@code policy}, {@code
 *       dry_run}): per limit that rejected, or would have in dry-run
 *   <li>{@code tollgate.page.size} (counter; tag {@code status}: clamped, defaulted, rejected,
 *       invalid_defaulted)
 *   <li>with plans, {@code tollgate.plan.requests} (counter; tags {@code plan}: a plan's name or
 *       {@code none}, so bounded by the number of plans; {@code outcome}) for decisions on limits,
 *       and {@code tollgate.plan.fallbacks} (counter; tag {@code reason}: error, timeout) counts
 *       requests given the fallback plan because a plan resolver failed or was slow
 *   <li>{@code tollgate.store.latency} (timer) and {@code tollgate.store.errors} (counter)
 *   <li>{@code tollgate.store.local} (gauge): 1 while rules with {@code on-store-failure=local}
 *       count in this server's memory because the store is unavailable, else 0; and {@code
 *       tollgate.store.local.switches} (counter; tag {@code to}: local, shared)
 *   <li>{@code tollgate.charged} (counter; tag {@code unit}: time, cpu, bytes): what completed
 *       requests were measured for limits in those units, in milliseconds or bytes
 *   <li>{@code tollgate.charges.lost} (counter): charges after the response the store lost
 * </ul>
 *
 * <p>micrometer-core is an optional dependency of filter-core: add it to use this class.
 */
public final class MicrometerMetrics implements TollgateMetrics {

  private final MeterRegistry registry;
  private final Timer storeLatency;
  private final Counter storeErrors;
  private final AtomicInteger local = new AtomicInteger();

  /** Records in {@code registry}. */
  @SuppressWarnings("exports") // micrometer.core is optional: the caller's module reads it already
  public MicrometerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.storeLatency =
        Timer.builder("tollgate.store.latency")
            .description("Time the rate-limit store took to decide")
            .register(registry);
    this.storeErrors =
        Counter.builder("tollgate.store.errors")
            .description("Decisions the rate-limit store could not make")
            .register(registry);
    Gauge.builder("tollgate.store.local", local, AtomicInteger::get)
        .description("1 while on-store-failure=local rules count in this server's memory")
        .register(registry);
  }

  /** Metrics recorded in Micrometer's {@code Metrics.globalRegistry}. */
  public static TollgateMetrics globalRegistry() {
    return new MicrometerMetrics(Metrics.globalRegistry);
  }

  @Override
  public void decided(Verdict verdict, boolean dryRunRejected) {
    String outcome =
        dryRunRejected ? "dry_run_rejected" : verdict.outcome().name().toLowerCase(Locale.ROOT);
    registry.counter("tollgate.requests", "rule", verdict.rule(), "outcome", outcome).increment();
    if (verdict.plan() != null) {
      registry
          .counter("tollgate.plan.requests", "plan", verdict.plan(), "outcome", outcome)
          .increment();
    }
    for (LimitStatus l : verdict.limits()) {
      if (l.usage().rejected()) {
        registry
            .counter(
                "tollgate.limit.rejections",
                "rule",
                l.rule(),
                "policy",
                l.policy(),
                "dry_run",
                Boolean.toString(dryRunRejected))
            .increment();
      }
    }
    PageSizeOutcome.Status status = verdict.pageSize().status();
    if (status != PageSizeOutcome.Status.KEPT && status != PageSizeOutcome.Status.DISABLED) {
      registry
          .counter("tollgate.page.size", "status", status.name().toLowerCase(Locale.ROOT))
          .increment();
    }
  }

  @Override
  public void charged(QuotaUnit unit, long amount) {
    registry.counter("tollgate.charged", "unit", unit.configName()).increment(amount);
  }

  @Override
  public void chargeLost(Throwable error) {
    registry.counter("tollgate.charges.lost").increment();
  }

  @Override
  public void storeLatency(long nanos) {
    storeLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void storeFailed(Throwable error) {
    storeErrors.increment();
  }

  @Override
  public void planFallback(String reason) {
    registry.counter("tollgate.plan.fallbacks", "reason", reason).increment();
  }

  @Override
  public void localFallback(boolean active) {
    local.set(active ? 1 : 0);
    registry
        .counter("tollgate.store.local.switches", "to", active ? "local" : "shared")
        .increment();
  }
}
