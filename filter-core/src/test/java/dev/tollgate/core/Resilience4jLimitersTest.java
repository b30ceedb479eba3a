package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.resilience4j.Resilience4jLimiters;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Resilience4jLimitersTest {

  private static Tollgate tollgateWith(RateLimiterRegistry registry, long maxClients) {
    Rule reports =
        Rule.builder("reports")
            .paths("/api/reports")
            .externalLimiter(
                Resilience4jLimiters.perClient(registry, "tenant-", "tenant", maxClients))
            .build();
    TollgateConfig config =
        TollgateConfig.builder()
            .defaultRule(Rule.builder(Rule.DEFAULT).limits("100/1m").build())
            .rule(reports)
            .build();
    // Tollgate's own 100/1m on a fake clock: no minute boundary can fall between the calls.
    return Tollgate.builder(config).clock(FakeClock.at1800()).build();
  }

  private static RateLimiterRegistry registry(int perMinute) {
    return RateLimiterRegistry.of(
        RateLimiterConfig.custom()
            .limitForPeriod(perMinute)
            .limitRefreshPeriod(Duration.ofMinutes(1))
            .timeoutDuration(Duration.ofSeconds(5))
            .build());
  }

  @Test
  void registryLimiter_rejectsWithoutWaiting_andLeavesTollgateCountsAlone() {
    RateLimiterRegistry registry = registry(3);
    Tollgate t = tollgateWith(registry, 100);
    TestRequest req = TestRequest.get("/api/reports").from("198.51.100.1");
    for (int i = 0; i < 3; i++) {
      assertTrue(t.check(req).proceed());
    }
    long start = System.nanoTime();
    Verdict rejected = t.check(req);
    assertTrue(
        System.nanoTime() - start < Duration.ofSeconds(4).toNanos(),
        "never waits for the registry's 5 s timeout");
    assertEquals(429, rejected.status());
    assertTrue(rejected.body().contains("\"violated-policies\":[\"tenant\"]"), rejected.body());
    int retry = Integer.parseInt(rejected.headers().get(0).value());
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    Verdict other = t.check(TestRequest.get("/api/assets").from("198.51.100.1"));
    assertEquals(
        96,
        other.limits().get(0).usage().remaining(),
        "the rejected call took nothing from Tollgate's limit");
    assertTrue(
        registry.find("tenant-ip:198.51.100.1").isPresent(),
        "the limiter lives in the application's registry");
  }

  @Test
  void preRegisteredLimiter_isUsedAsConfigured() {
    RateLimiterRegistry registry = registry(100);
    registry.rateLimiter(
        "tenant-ip:198.51.100.7",
        RateLimiterConfig.custom()
            .limitForPeriod(1)
            .limitRefreshPeriod(Duration.ofMinutes(1))
            .timeoutDuration(Duration.ZERO)
            .build());
    Tollgate t = tollgateWith(registry, 100);
    TestRequest req = TestRequest.get("/api/reports").from("198.51.100.7");
    assertTrue(t.check(req).proceed());
    assertEquals(429, t.check(req).status());
  }

  @Test
  void registryStaysBounded_underManyClientKeys() {
    RateLimiterRegistry registry = registry(10);
    Tollgate t = tollgateWith(registry, 50);
    for (int i = 0; i < 1000; i++) {
      t.check(TestRequest.get("/api/reports").from("10.0." + (i / 250) + "." + (i % 250)));
    }
    assertTrue(
        registry.getAllRateLimiters().size() <= 51,
        "registry holds " + registry.getAllRateLimiters().size());
  }

  @Test
  void oneClientIsEnoughToKeep() {
    Tollgate t = tollgateWith(registry(1), 1);
    TestRequest req = TestRequest.get("/api/reports").from("198.51.100.1");
    assertTrue(t.check(req).proceed());
    assertEquals(429, t.check(req).status());
  }
}
