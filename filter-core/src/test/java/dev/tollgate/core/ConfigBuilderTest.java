package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The builders' own checks, at the edges of what they accept, with the message an operator reads;
 * and settings only the builder or a rarely used key sets.
 */
class ConfigBuilderTest {

  private static String refused(Executable setting) {
    return assertThrows(ConfigException.class, setting).getMessage();
  }

  @Test
  void everySetterChainsAndTheConfigurationHoldsWhatWasSet() {
    TollgateConfig c =
        TollgateConfig.builder()
            .micrometerGlobalRegistry(true)
            .clientIp(ClientKeys.ip())
            .suspend("user:mallory")
            .statusPath("/rate_limit")
            .maxConcurrentPerClient(3)
            .reloadInterval(Duration.ofSeconds(30))
            .headersAfterUsedShare(0.5)
            .maxTrackedClients(10)
            .store("redis", Map.of("url", "redis://localhost"))
            .plans(null)
            .build();

    assertTrue(c.micrometerGlobalRegistry());
    assertEquals(List.of("user:mallory"), c.suspended());
    assertEquals("/rate_limit", c.statusPath());
    assertEquals(3, c.maxConcurrentPerClient());
    assertEquals(Duration.ofSeconds(30), c.reloadInterval());
    assertEquals(0.5, c.headersAfterUsedShare());
    assertEquals(10, c.maxTrackedClients());
    assertEquals("redis", c.storeType());
    assertEquals(Map.of("url", "redis://localhost"), c.storeSettings());
    assertFalse(TollgateConfig.builder().build().micrometerGlobalRegistry());
  }

  @Test
  void aStoreChosenTwiceHasOnlyTheSecondSettings() {
    TollgateConfig c =
        TollgateConfig.builder()
            .store("redis", Map.of("url", "redis://a"))
            .store("jdbc", Map.of("table", "counts"))
            .build();

    assertEquals("jdbc", c.storeType());
    assertEquals(Map.of("table", "counts"), c.storeSettings());
  }

  @Test
  void storeSettingsAreReadFromTheStoreKeys() {
    TollgateConfig c =
        TollgateConfig.parse(props("store.type", "redis", "store.url", "redis://localhost:6379"));

    assertEquals(Map.of("url", "redis://localhost:6379"), c.storeSettings());
  }

  @Test
  void metricsChooseMicrometerOrNone() {
    assertTrue(TollgateConfig.parse(props("metrics", "Micrometer")).micrometerGlobalRegistry());
    assertFalse(TollgateConfig.parse(props("metrics", "none")).micrometerGlobalRegistry());
    assertEquals(
        "metrics: 'prometheus' is not a metrics choice (expected micrometer or none)",
        refused(() -> TollgateConfig.parse(props("metrics", "prometheus"))));
  }

  @Test
  void theStatusPathIsAtMost200CharactersWithoutBlanks() {
    String longest = "/" + "a".repeat(199);
    assertEquals(longest, TollgateConfig.builder().statusPath(longest).build().statusPath());
    assertNull(TollgateConfig.builder().statusPath(null).build().statusPath());

    String tooLong = "/" + "a".repeat(200);
    assertEquals(
        "status.path: '"
            + tooLong.substring(0, 200)
            + "...' is not a path (expected e.g. /rate_limit)",
        refused(() -> TollgateConfig.builder().statusPath(tooLong)));
    assertEquals(
        "status.path: '/rate limit' is not a path (expected e.g. /rate_limit)",
        refused(() -> TollgateConfig.builder().statusPath("/rate limit")));
    assertEquals(
        "status.path: 'rate_limit' is not a path (expected e.g. /rate_limit)",
        refused(() -> TollgateConfig.builder().statusPath("rate_limit")));
  }

  @Test
  void numbersAreCheckedAtTheirEdges() {
    TollgateConfig.Builder b = TollgateConfig.builder();
    assertEquals(0, b.maxConcurrentPerClient(0).build().maxConcurrentPerClient());
    assertEquals(0.0, b.headersAfterUsedShare(0).build().headersAfterUsedShare());
    assertEquals(1.0, b.headersAfterUsedShare(1).build().headersAfterUsedShare());
    assertEquals(1, b.maxTrackedClients(1).build().maxTrackedClients());
    assertEquals(1L << 29, b.maxTrackedClients(1L << 29).build().maxTrackedClients());

    assertEquals(
        "concurrency.max-per-client: '-1' is not a whole number of at least 0",
        refused(() -> TollgateConfig.builder().maxConcurrentPerClient(-1)));
    assertEquals(
        "headers.after-used-share: '1.01' is not a share (expected a number from 0 to 1)",
        refused(() -> TollgateConfig.builder().headersAfterUsedShare(1.01)));
    assertEquals(
        "headers.after-used-share: '-0.01' is not a share (expected a number from 0 to 1)",
        refused(() -> TollgateConfig.builder().headersAfterUsedShare(-0.01)));
    assertEquals(
        "store.max-clients: '0' is not a valid bound (expected a whole number of at least 1)",
        refused(() -> TollgateConfig.builder().maxTrackedClients(0)));
    // A larger bound was capped by the store's table while the configuration reported it.
    assertEquals(
        "store.max-clients: '536870913' is above the largest bound, 536870912",
        refused(() -> TollgateConfig.builder().maxTrackedClients((1L << 29) + 1)));
  }

  @Test
  void aPlanNamingARuleThatIsNotConfiguredIsRefusedWhenBuilt() {
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("pro").ruleLimits("reports", Limit.parse("10/1m")).build())
            .build();

    assertEquals(
        "plans.pro.rules.reports.limits: names no endpoint rule",
        refused(() -> TollgateConfig.builder().plans(plans).build()));
  }

  @Test
  void aPlanCostEqualToAQuotaLetsOneRequestPass() {
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("pro").limits(Limit.parse("5/1m")).cost(5).build())
            .build();
    Rule reports = Rule.builder("reports").paths("/reports").limits("5/1m").build();

    TollgateConfig c = TollgateConfig.builder().rule(reports).plans(plans).build();

    assertEquals(5, c.plans().named("pro").cost());
  }

  @Test
  void aPlanCostAboveAnEndpointQuotaIsRefusedWhenBuilt() {
    Plans plans = Plans.builder().plan(Plan.builder("pro").cost(6).build()).build();
    Rule reports = Rule.builder("reports").paths("/reports").limits("5/1m").build();

    assertEquals(
        "plans.pro.cost: cost 6 exceeds the quota of 5/1m as minute (rule reports), so no request"
            + " could pass",
        refused(
            () ->
                TollgateConfig.builder()
                    .defaultRule(Rule.builder(Rule.DEFAULT).limits("100/1m").build())
                    .rule(reports)
                    .plans(plans)
                    .build()));
  }

  @Test
  void anEndpointRulesOwnCostIsNotCalledTheDefaultRules() {
    assertEquals(
        "rules.reports.cost: cost 5 exceeds the quota of 3/1m as minute, so no request could pass",
        refused(
            () ->
                TollgateConfig.parse(
                    props(
                        "rules.reports.path", "/reports",
                        "rules.reports.limits", "3/1m",
                        "rules.reports.cost", "5"))));
    assertEquals(
        "rules.reports.cost: cost 5 (the default rule's) exceeds the quota of 3/1m as minute, so"
            + " no request could pass",
        refused(
            () ->
                TollgateConfig.parse(
                    props(
                        "cost", "5",
                        "rules.reports.path", "/reports",
                        "rules.reports.limits", "3/1m"))));
  }
}
