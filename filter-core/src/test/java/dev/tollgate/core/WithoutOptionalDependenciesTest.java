package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs in its own surefire execution with micrometer-core and resilience4j-ratelimiter removed from
 * the class path: the optional dependencies must stay optional.
 */
class WithoutOptionalDependenciesTest {

  @Test
  void optionalDependenciesAreReallyAbsentHere() {
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("io.micrometer.core.instrument.MeterRegistry"));
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("io.github.resilience4j.ratelimiter.RateLimiter"));
  }

  @Test
  void theEngineWorksWithoutMicrometerOrResilience4j() {
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(Map.of("limits", "1/1m")))
            .clock(FakeClock.at1800())
            .build();
    assertTrue(t.check(TestRequest.get("/")).proceed());
    assertEquals(429, t.check(TestRequest.get("/")).status());
  }

  @Test
  void askingForMicrometerWithoutItNamesTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> Tollgate.create(TollgateConfig.parse(Map.of("metrics", "micrometer"))));
    assertEquals("metrics", e.key());
  }
}
