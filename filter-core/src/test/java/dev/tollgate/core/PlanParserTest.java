package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code plans.*} keys: what each reads, and the message naming key and value when it cannot.
 */
class PlanParserTest {

  private static String message(String... kv) {
    return assertThrows(ConfigException.class, () -> TollgateConfig.parse(props(kv))).getMessage();
  }

  /** A plan source an application names with {@code class:}. */
  public static final class Billing implements PlanResolver {
    public Billing() {}

    @Override
    public String planOf(String clientKey) {
      return clientKey.equals("user:alice") ? "pro" : null;
    }
  }

  @Test
  void aResolverClassIsCreatedAndAsked() {
    String source = "class:" + Billing.class.getName();
    TollgateConfig c =
        TollgateConfig.parse(
            props(
                "client.key", "principal",
                "plans.free.limits", "5/1m",
                "plans.pro.limits", "20/1m",
                "plans.default", "free",
                "plans.cache.timeout", "5s",
                "plans.resolvers", source));
    Tollgate t = Tollgate.builder(c).clock(new FakeClock(Instant.EPOCH)).build();
    try {
      assertEquals(List.of(source), c.plans().sources());
      assertEquals("pro", t.check(TestRequest.get("/x").principal("alice")).plan());
      assertEquals("free", t.check(TestRequest.get("/x").principal("bob")).plan());
    } finally {
      t.close();
    }
  }

  @Test
  void aClassThatIsNotAPlanResolverIsAnError() {
    assertEquals(
        "plans.resolvers: 'class:java.lang.String' is not a dev.tollgate.core.PlanResolver",
        message("plans.free.limits", "5/1m", "plans.resolvers", "class:java.lang.String"));
  }

  @Test
  void aSourceWithoutItsNameIsNotAPlanSource() {
    String expected =
        "is not a plan source (expected clients, roles, header:<Name>, class:<PlanResolver class>"
            + " or jdbc)";
    assertEquals(
        "plans.resolvers: 'header:' " + expected,
        message("plans.free.limits", "5/1m", "plans.resolvers", "header:"));
    assertEquals(
        "plans.resolvers: 'class:' " + expected,
        message("plans.free.limits", "5/1m", "plans.resolvers", "class:"));
  }

  @Test
  void jdbcSettingsNeedJdbcAmongTheResolvers() {
    assertEquals(
        "plans.jdbc.query: is set but plans.resolvers does not list jdbc",
        message(
            "plans.free.limits", "5/1m",
            "plans.resolvers", "clients",
            "plans.jdbc.query", "SELECT plan FROM t WHERE k = ?"));
  }

  @Test
  void aPlansLimitsForAnUnknownRuleNameTheRulesThereAre() {
    assertEquals(
        "plans.free.rules.nope.limits: names no endpoint rule (rules: none; the default rule's"
            + " limits are plans.free.limits)",
        message("plans.free.rules.nope.limits", "1/1m"));
    assertEquals(
        "plans.free.rules.nope.limits: names no endpoint rule (rules: a, b; the default rule's"
            + " limits are plans.free.limits)",
        message(
            "rules.b.path", "/b",
            "rules.a.path", "/a",
            "plans.free.rules.nope.limits", "1/1m"));
  }

  @Test
  void aPlanSettingMisspeltGetsADidYouMean() {
    assertEquals(
        "plans.free.limts: unknown key (a plan takes clients, concurrency.max-per-client, cost,"
            + " limits, page-size.max, roles, rules.<rule>.limits); did you mean plans.free.limits?",
        message("plans.free.limts", "5/1m"));
  }

  @Test
  void aPlanWithoutANameIsAnError() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> TollgateConfig.parse(props("plans..limits", "5/1m")));

    assertEquals("plans.", e.key());
    assertEquals(
        "plans.: plan name must be 1 to 32 letters, digits, '_' or '-' but was ''", e.getMessage());
  }

  @Test
  void cacheDurationsAreReadInMillisecondsOrAsLimitDurations() {
    assertEquals(
        "plans.cache.refresh: '2m' must be positive and at most plans.cache.ttl (90s)",
        message(
            "plans.free.limits", "5/1m",
            "plans.cache.ttl", "90000ms",
            "plans.cache.refresh", "2m"));
    assertEquals(
        "plans.cache.refresh: '10m' must be positive and at most plans.cache.ttl (5m)",
        message(
            "plans.free.limits", "5/1m",
            "plans.cache.ttl", "5m",
            "plans.cache.refresh", "10m"));
    assertEquals(
        "plans.cache.ttl: '0s' is not a positive duration (expected e.g. 200ms, 30s, 5m)",
        message("plans.free.limits", "5/1m", "plans.cache.ttl", "0s"));
  }

  @Test
  void aPlanWithACostAloneKeepsTheDefaultRulesLimits() {
    Tollgate t =
        Tollgate.builder(
                TollgateConfig.parse(
                    props(
                        "client.key", "principal",
                        "limits", "10/1m",
                        "plans.heavy.cost", "5",
                        "plans.heavy.clients", "user:batch")))
            .clock(new FakeClock(Instant.EPOCH))
            .build();

    assertEquals(2, Fixtures.admitted(t, TestRequest.get("/x").principal("batch"), 5));
  }

  @Test
  void aPlanCostAboveAnEndpointRulesQuotaIsAnError() {
    assertEquals(
        "plans.free.cost: cost 5 exceeds the quota of 2/1m as minute (rule reports), so no request"
            + " could pass",
        message(
            "rules.reports.path", "/reports",
            "rules.reports.limits", "2/1m",
            "plans.free.limits", "10/1m",
            "plans.free.cost", "5"));
  }

  @Test
  void aDefaultCostAboveAPlansQuotaNamesThePlansLimitsNotAnUnsetCost() {
    assertEquals(
        "plans.free.limits: cost 5 exceeds the quota of 2/1m as free-minute, so no request could"
            + " pass",
        message("limits", "10/1m", "cost", "5", "plans.free.limits", "2/1m"));
  }
}
