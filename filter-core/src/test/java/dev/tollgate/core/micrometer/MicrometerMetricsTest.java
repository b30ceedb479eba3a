package dev.tollgate.core.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The meters of events the engine reports without a verdict. */
class MicrometerMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerMetrics metrics = new MicrometerMetrics(registry);

  @Test
  void storeFailuresLostChargesAndPlanFallbacksAreCounted() {
    metrics.storeFailed(new IllegalStateException("down"));
    metrics.storeFailed(new IllegalStateException("down"));
    metrics.chargeLost(new IllegalStateException("lost"));
    metrics.planFallback("timeout");
    assertEquals(2, registry.counter("tollgate.store.errors").count());
    assertEquals(1, registry.counter("tollgate.charges.lost").count());
    assertEquals(1, registry.counter("tollgate.plan.fallbacks", "reason", "timeout").count());
    assertEquals(0, registry.counter("tollgate.plan.fallbacks", "reason", "error").count());
  }
}
