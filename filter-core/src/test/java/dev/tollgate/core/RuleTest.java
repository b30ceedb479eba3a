package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rule as built in code and as a configuration completes it: what it sets itself, what it takes
 * from the default rule and the configuration's client key, and how it is summarised.
 */
class RuleTest {

  @Test
  void everySetterChainsAndEverySettingIsKept() {
    Counting successful = Counting.of(Counting.Responses.SUCCESSFUL, true);
    Rule rule =
        Rule.builder("reports")
            .paths("/api/reports/**")
            .methods(" get ", "post")
            .clientKey(ClientKeys.principal())
            .countRejected(true)
            .onStoreFailure(Rule.StoreFailure.CLOSED)
            .counting(successful)
            .dryRun(true)
            .limits("10/1m")
            .cost(2)
            .build();
    assertEquals(List.of("/api/reports/**"), rule.paths());
    assertEquals(Set.of("GET", "POST"), rule.methods());
    assertEquals("principal", rule.clientKey().toString());
    assertTrue(rule.countRejected());
    assertEquals(Rule.StoreFailure.CLOSED, rule.onStoreFailure());
    assertEquals(successful, rule.counting());
    assertTrue(rule.dryRun());
    assertEquals(2, rule.cost());
  }

  @Test
  void aRuleIsSummarisedWithWhatItSetsItself() {
    Rule plain = Rule.builder("plain").paths("/plain").limits("10/1m").build();
    assertEquals("plain: paths [/plain] limits [10/1m as minute]", plain.toString());
    Rule full =
        Rule.builder("reports")
            .paths("/api/reports/**")
            .methods("GET")
            .limits("10/1m")
            .cost(2)
            .countRejected(true)
            .dryRun(true)
            .build();
    assertEquals(
        "reports: paths [/api/reports/**] methods [GET] limits [10/1m as minute] cost 2"
            + " counting rejected DRY-RUN",
        full.toString());
  }

  @Test
  void aCostUpToTheSmallestRequestQuotaIsAllowed() {
    assertEquals(5, Rule.builder("r").limits("5/1m, 100/1h").cost(5).build().cost());
    assertEquals(
        "cost 6 exceeds the quota of 5/1m as minute, so no request could pass",
        assertThrows(
                IllegalArgumentException.class,
                () -> Rule.builder("r").limits("5/1m, 100/1h").cost(6).build())
            .getMessage());
    assertEquals(
        6, Rule.builder("r").limits("5s/1m time").cost(6).build().cost(), "not a request quota");
  }

  /** Each of a rule's four inheritable settings, left unset while it sets the other three. */
  @ParameterizedTest
  @ValueSource(strings = {"client.key", "cost", "on-store-failure", "page-size.max"})
  void aRuleTakesTheOneSettingItLeavesUnsetFromTheConfiguration(String unset) {
    Map<String, String> own = new LinkedHashMap<>();
    own.put("client.key", "principal");
    own.put("cost", "3");
    own.put("on-store-failure", "local");
    own.put("page-size.max", "50");
    own.remove(unset);
    Map<String, String> p =
        props(
            "limits", "100/1m",
            "client.key", "header:X-Api-Key",
            "cost", "2",
            "on-store-failure", "closed",
            "page-size.max", "300",
            "rules.reports.path", "/api/reports",
            "rules.reports.limits", "10/1m");
    own.forEach((k, v) -> p.put("rules.reports." + k, v));
    TollgateConfig c = TollgateConfig.parse(p);
    Rule reports = c.rules().get(0);
    assertEquals(
        unset.equals("client.key") ? "header:X-Api-Key" : "principal",
        reports.clientKey().toString());
    assertEquals(unset.equals("cost") ? 2 : 3, reports.cost());
    assertEquals(
        unset.equals("on-store-failure") ? Rule.StoreFailure.CLOSED : Rule.StoreFailure.LOCAL,
        reports.onStoreFailure());
    assertEquals(unset.equals("page-size.max") ? 300 : 50, reports.pageSize().maxSize());
    assertEquals(!unset.equals("page-size.max"), reports.setsPageSize());
  }

  @Test
  void aRuleSettingNothingTakesEverythingAndOneSettingEverythingTakesNothing() {
    TollgateConfig c =
        TollgateConfig.parse(
            props(
                "client.key", "header:X-Api-Key",
                "cost", "2",
                "on-store-failure", "closed",
                "rules.bare.path", "/bare",
                "rules.full.path", "/full",
                "rules.full.client.key", "principal",
                "rules.full.cost", "3",
                "rules.full.on-store-failure", "local",
                "rules.full.page-size.max", "50"));
    Rule bare = c.rules().get(0);
    assertEquals("header:X-Api-Key", bare.clientKey().toString());
    assertEquals(2, bare.cost());
    assertEquals(Rule.StoreFailure.CLOSED, bare.onStoreFailure());
    assertFalse(bare.setsPageSize());
    Rule full = c.rules().get(1);
    assertEquals("principal", full.clientKey().toString());
    assertEquals(3, full.cost());
    assertEquals(Rule.StoreFailure.LOCAL, full.onStoreFailure());
    assertEquals(50, full.pageSize().maxSize());
  }
}
