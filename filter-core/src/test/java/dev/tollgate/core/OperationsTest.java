package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-time operations: reconfiguration, suspension, dry-run, status, concurrency, metrics. */
class OperationsTest {

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T18:00:00Z"));

  private Tollgate tollgate(Map<String, String> props) {
    return Tollgate.builder(TollgateConfig.parse(props)).clock(clock).build();
  }

  private static TestRequest from(String ip) {
    return TestRequest.get("/api/assets").from(ip);
  }

  private static long remaining(Verdict v, String policy) {
    return v.limits().stream()
        .filter(l -> l.policy().equals(policy))
        .findFirst()
        .orElseThrow()
        .usage()
        .remaining();
  }

  @Test
  void quotaChangeMidWindow_keepsWhatTheClientUsed() {
    Tollgate t = tollgate(Map.of("limits", "100/1m"));
    for (int i = 0; i < 80; i++) {
      assertTrue(t.check(from("198.51.100.1")).proceed());
    }
    t.reconfigure(TollgateConfig.parse(Map.of("limits", "200/1m")));
    Verdict v = t.check(from("198.51.100.1"));
    assertTrue(v.proceed());
    assertEquals(200 - 81, remaining(v, "minute"));
  }

  @Test
  void quotaLoweredBelowUsage_rejectsAtOnce() {
    Tollgate t = tollgate(Map.of("limits", "100/1m"));
    for (int i = 0; i < 50; i++) {
      t.check(from("198.51.100.1"));
    }
    t.reconfigure(TollgateConfig.parse(Map.of("limits", "40/1m")));
    assertEquals(Verdict.Outcome.RATE_LIMITED, t.check(from("198.51.100.1")).outcome());
  }

  @Test
  void reconfigure_refusesAnotherStore_andKeepsTheOldConfig() {
    Tollgate t = tollgate(Map.of("limits", "1/1m"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                t.reconfigure(
                    TollgateConfig.parse(Map.of("limits", "5/1m", "store.max-clients", "10"))));
    assertEquals("store.max-clients", e.key());
    assertTrue(t.check(from("198.51.100.1")).proceed());
    assertFalse(t.check(from("198.51.100.1")).proceed());
  }

  @Test
  void watchedFile_appliesAValidChange_andKeepsTheOldConfigOnABadOne(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("tollgate.properties");
    Files.writeString(file, "limits=2/1m\n", StandardCharsets.UTF_8);
    Tollgate t;
    try (var in = Files.newInputStream(file)) {
      t = Tollgate.builder(TollgateConfig.load(in, file.toString())).clock(clock).build();
    }
    try (ConfigWatcher watcher = ConfigWatcher.watch(t, file, Map.of(), Duration.ZERO)) {
      Files.writeString(file, "limits=3/1m\n", StandardCharsets.UTF_8);
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertTrue(watcher.reloadIfChanged());
      assertEquals(3, t.config().defaultRule().limits().get(0).quota());

      Files.writeString(file, "limits=10O/1m\n", StandardCharsets.UTF_8);
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
      assertFalse(watcher.reloadIfChanged());
      assertEquals(3, t.config().defaultRule().limits().get(0).quota());
      assertFalse(watcher.reloadIfChanged(), "an unchanged file is not read again");
    }
  }

  @Test
  void suspendedKey_gets403AndIsNotCounted_andLiftingRestoresAccess() {
    Tollgate t = tollgate(Map.of("limits", "5/1m", "client.key", "header:X-Api-Key, ip"));
    TestRequest abuser = from("198.51.100.1").header("X-Api-Key", "abc");
    String key = ClientKeys.hashed("key:", "abc");
    t.suspensions().suspend(key);
    Verdict v = t.check(abuser);
    assertEquals(Verdict.Outcome.SUSPENDED, v.outcome());
    assertEquals(403, v.status());
    assertTrue(v.body().contains("suspended"));
    assertFalse(v.body().contains("abc"));

    assertTrue(t.suspensions().lift(key));
    Verdict after = t.check(abuser);
    assertTrue(after.proceed());
    assertEquals(4, remaining(after, "minute"), "suspended requests were not counted");
  }

  @Test
  void suspendedRange_fromConfiguration_coversEveryAddressInIt() {
    Tollgate t =
        tollgate(
            Map.of("suspended", "203.0.113.0/24, user:mallory", "client.key", "principal, ip"));
    assertEquals(403, t.check(from("203.0.113.99")).status());
    assertTrue(t.check(from("203.0.114.1")).proceed());
    assertEquals(403, t.check(from("198.51.100.1").principal("mallory")).status());
    assertTrue(t.check(from("198.51.100.1").principal("alice")).proceed());
  }

  @Test
  void dryRunRule_letsTheRequestThrough_withHeadersShowingZeroRemaining() {
    Tollgate t =
        tollgate(
            Map.of(
                "limits",
                "100/1m",
                "rules.new.path",
                "/api/**",
                "rules.new.limits",
                "2/1m",
                "rules.new.dry-run",
                "true"));
    t.check(from("198.51.100.1"));
    t.check(from("198.51.100.1"));
    Verdict v = t.check(from("198.51.100.1"));
    assertTrue(v.proceed());
    assertEquals(0, remaining(v, "new.minute"));
    assertEquals(97, remaining(v, "minute"), "the enforced limit still counts the request");
    String ietf =
        v.headers().stream()
            .filter(h -> h.name().equals("RateLimit"))
            .findFirst()
            .orElseThrow()
            .value();
    assertTrue(ietf.contains("\"new.minute\";r=0"), ietf);
  }

  @Test
  void dryRun_doesNotOverrideAnEnforcedRejection() {
    Tollgate t =
        tollgate(
            Map.of(
                "limits",
                "1/1m",
                "rules.new.path",
                "/api/**",
                "rules.new.limits",
                "1/1m",
                "rules.new.dry-run",
                "true"));
    t.check(from("198.51.100.1"));
    assertEquals(Verdict.Outcome.RATE_LIMITED, t.check(from("198.51.100.1")).outcome());
  }

  @Test
  void statusPath_reportsEveryRule_withoutConsuming() {
    Tollgate t =
        tollgate(
            Map.of(
                "limits",
                "100/1m, 10000/24h rolling",
                "status.path",
                "/rate_limit",
                "rules.reports.path",
                "/api/reports",
                "rules.reports.limits",
                "10/1m"));
    t.check(from("198.51.100.1"));
    Verdict s1 = t.check(TestRequest.get("/rate_limit").from("198.51.100.1"));
    Verdict s2 = t.check(TestRequest.get("/rate_limit").from("198.51.100.1"));
    assertEquals(Verdict.Outcome.STATUS, s1.outcome());
    assertEquals(200, s1.status());
    assertEquals("application/json", s1.contentType());
    assertEquals(s1.body(), s2.body(), "reading the status consumes nothing");
    assertTrue(
        s1.body()
            .contains(
                "\"policy\":\"minute\",\"algorithm\":\"fixed\",\"limit\":100,\"window\":60,\"remaining\":99,\"used\":1"),
        s1.body());
    assertTrue(s1.body().contains("\"policy\":\"reports.minute\""), s1.body());
    assertEquals(99, remaining(t.check(from("198.51.100.1")), "minute") + 1);
  }

  @Test
  void concurrencyLimit_rejectsTheThirdRequestInFlight_andReleaseFreesASlot() {
    Tollgate t = tollgate(Map.of("limits", "100/1m", "concurrency.max-per-client", "2"));
    Verdict a = t.check(from("198.51.100.1"));
    Verdict b = t.check(from("198.51.100.1"));
    Verdict c = t.check(from("198.51.100.1"));
    assertTrue(a.proceed() && b.proceed());
    assertEquals(Verdict.Outcome.CONCURRENCY_LIMITED, c.outcome());
    assertEquals(429, c.status());
    assertTrue(t.check(from("198.51.100.2")).proceed(), "other clients are not affected");
    a.release();
    a.release(); // twice is harmless
    Verdict d = t.check(from("198.51.100.1"));
    assertTrue(d.proceed());
    assertEquals(
        Verdict.Outcome.CONCURRENCY_LIMITED,
        t.check(from("198.51.100.1")).outcome(),
        "a second release of the same verdict must not free another slot");
    assertEquals(97, remaining(d, "minute"), "the concurrency-rejected request was not counted");
  }

  @Test
  void micrometerCounters_countEachOutcomePerRuleAndLimit() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(Map.of("limits", "1/1m", "page-size.max", "50")))
            .clock(clock)
            .metrics(new MicrometerMetrics(registry))
            .build();
    t.check(from("198.51.100.1").param("pageSize", "500"));
    t.check(from("198.51.100.1"));
    assertEquals(
        1, registry.counter("tollgate.requests", "rule", "default", "outcome", "admitted").count());
    assertEquals(
        1,
        registry
            .counter("tollgate.requests", "rule", "default", "outcome", "rate_limited")
            .count());
    assertEquals(
        1,
        registry
            .counter(
                "tollgate.limit.rejections",
                "rule",
                "default",
                "policy",
                "minute",
                "dry_run",
                "false")
            .count());
    assertEquals(1, registry.counter("tollgate.page.size", "status", "clamped").count());
    assertEquals(2, registry.timer("tollgate.store.latency").count());
  }

  @Test
  void heaviestClients_listsTheClientNearestExhaustionFirst() {
    Tollgate t = tollgate(Map.of("limits", "10/1m"));
    for (int i = 0; i < 9; i++) {
      t.check(from("198.51.100.9"));
    }
    t.check(from("198.51.100.1"));
    List<ClientUsage> top = t.heaviestClients(5);
    assertEquals("ip:198.51.100.9", top.get(0).client());
    assertEquals(9, top.get(0).used());
    assertEquals(2, top.size());
  }
}
