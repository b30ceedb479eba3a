package dev.tollgate.core;

import static dev.tollgate.core.DeclaredRules.INHERIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclaredRulesTest {

  private final TollgateConfig config =
      TollgateConfig.parse(
          Map.of(
              "limits", "100/1m",
              "page-size.default", "20",
              "page-size.max", "1000",
              "rules.reports.path", "/reports",
              "rules.reports.limits", "10/1m"));
  private final List<Rule> announced = new ArrayList<>();
  private final DeclaredRules rules = new DeclaredRules(config, announced::add);

  private static DeclaredRules.Declaration declaration(
      String name, String limits, int cost, int max, int dflt) {
    return new DeclaredRules.Declaration("Api." + name + "()", name, limits, cost, max, dflt);
  }

  @Test
  void aDeclarationBecomesARuleAnnouncedOnce() {
    Rule rule =
        rules.declare(declaration("search", "10/1m, 100/1h rolling", INHERIT, INHERIT, INHERIT));
    assertEquals("search", rule.name());
    assertEquals(List.of(Limit.parse("10/1m"), Limit.parse("100/1h rolling")), rule.limits());
    // was assertNull(rule.pageSize(), ...), before rules reported the settings they inherit
    assertFalse(rule.setsPageSize(), "no page-size setting: the configuration's applies");
    assertSame(
        rule,
        rules.declare(declaration("search", "10/1m, 100/1h rolling", INHERIT, INHERIT, INHERIT)));
    assertEquals(List.of(rule), announced);
  }

  @Test
  void pageSizesDefaultToTheConfigurationsAndTheDefaultSizeToTheSmallerMaximum() {
    PageSizeRule onlyMax = rules.declare(declaration("small", "", INHERIT, 5, INHERIT)).pageSize();
    assertEquals(5, onlyMax.maxSize());
    assertEquals(5, onlyMax.defaultSize(), "the configuration's default 20 lowered to the maximum");
    assertEquals(config.defaultRule().pageSize().parameters(), onlyMax.parameters());
    PageSizeRule onlyDefault =
        rules.declare(declaration("few", "", INHERIT, INHERIT, 3)).pageSize();
    assertEquals(1000, onlyDefault.maxSize());
    assertEquals(3, onlyDefault.defaultSize());
  }

  @Test
  void namesOfTheConfigurationAreRefused() {
    IllegalArgumentException reserved =
        assertThrows(
            IllegalArgumentException.class,
            () -> rules.declare(declaration("default", "1/1m", INHERIT, INHERIT, INHERIT)));
    assertTrue(
        reserved.getMessage().startsWith("Api.default(): the name 'default'"),
        reserved.getMessage());
    IllegalArgumentException taken =
        assertThrows(
            IllegalArgumentException.class,
            () -> rules.declare(declaration("reports", "1/1m", INHERIT, INHERIT, INHERIT)));
    assertTrue(
        taken.getMessage().contains("already a configured rule (rules.reports.*)"),
        taken.getMessage());
  }

  @Test
  void aCostAboveTheDefaultRulesQuotaIsRefusedAndOneAtItIsKept() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> rules.declare(declaration("export", "", 101, INHERIT, INHERIT)));
    assertTrue(
        e.getMessage()
            .startsWith("Api.export(): cost 101 exceeds the quota of the default rule's limit"),
        e.getMessage());
    assertEquals(100, rules.declare(declaration("bulk", "", 100, INHERIT, INHERIT)).cost());
  }

  @Test
  void badValuesAreNamedWithWhereTheyWereDeclared() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> rules.declare(declaration("a", "", INHERIT, 0, INHERIT)))
            .getMessage()
            .startsWith("Api.a(): pageSizeMax must be at least 1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> rules.declare(declaration("b", "", INHERIT, INHERIT, 0)))
            .getMessage()
            .startsWith("Api.b(): pageSizeDefault must be at least 1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> rules.declare(declaration("c", "10/1 minute", INHERIT, INHERIT, INHERIT)))
            .getMessage()
            .startsWith("Api.c(): '10/1 minute'"));
  }

  @Test
  void twoDeclarationsSharingANameMustAgree() {
    rules.declare(declaration("shared", "", 2, 100, 5));
    assertEquals(2, rules.declare(declaration("shared", "", 2, 100, 5)).cost());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> rules.declare(declaration("shared", "1/1m", INHERIT, INHERIT, INHERIT)));
    assertTrue(
        e.getMessage().contains("another declaration named 'shared' has different settings"),
        e.getMessage());
    assertEquals(1, announced.size());
  }
}
