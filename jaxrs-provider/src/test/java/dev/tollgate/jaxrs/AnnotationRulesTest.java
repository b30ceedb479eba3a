package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.InvalidPageSize;
import dev.tollgate.core.PageSizeRule;
import dev.tollgate.core.Rule;
import dev.tollgate.core.TollgateConfig;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationRulesTest {

  private final TollgateConfig config =
      TollgateConfig.parse(
          Map.of(
              "limits", "100/1m",
              "page-size.default", "20",
              "page-size.max", "1000",
              "page-size.on-invalid", "default",
              "rules.reports.path", "/reports",
              "rules.reports.limits", "10/1m"));
  private final AnnotationRules rules = new AnnotationRules(config);

  static class Plain {
    public void plain() {}

    @RateLimit(limits = "10/1m, 100/1h rolling")
    public void limited() {}

    @RateLimit(pageSizeMax = 100)
    public void pageSizeOnly() {}

    @RateLimit(pageSizeMax = 100, pageSizeDefault = 5, cost = 2, name = "shared")
    public void sharedA() {}

    @RateLimit(pageSizeMax = 100, pageSizeDefault = 5, cost = 2, name = "shared")
    public void sharedB() {}

    @RateLimit(limits = "1/1m", name = "shared")
    public void sharedConflict() {}

    @RateLimit(limits = "1/1m", name = "reports")
    public void clashesWithConfig() {}

    @RateLimit(limits = "10/1 minute")
    public void badLimit() {}

    @RateLimit(pageSizeMax = 0)
    public void badMax() {}

    @RateLimit(cost = 101)
    public void costAboveTheGlobalQuota() {}
  }

  @RateLimit(limits = "5/1m")
  static class ClassLevel {
    public void a() {}

    @RateLimit(limits = "1/1s")
    public void own() {}
  }

  private Rule rule(Class<?> type, String method) throws NoSuchMethodException {
    Method m = type.getMethod(method);
    return rules.forMethod(type, m);
  }

  @Test
  void unannotatedMethodsHaveNoRule() throws Exception {
    assertNull(rule(Plain.class, "plain"));
  }

  @Test
  void derivesAStableNameFromClassAndMethod() throws Exception {
    Rule r = rule(Plain.class, "limited");
    assertEquals("Plain.limited", r.name());
    assertEquals(2, r.limits().size());
    assertFalse(r.setsPageSize()); // was: assertNull(r.pageSize()), before rules reported inherited
    // settings
  }

  @Test
  void pageSizeRuleKeepsTheConfigurationsParametersAndInvalidHandling() throws Exception {
    PageSizeRule p = rule(Plain.class, "pageSizeOnly").pageSize();
    assertEquals(List.of("pageSize"), p.parameters());
    assertEquals(20, p.defaultSize());
    assertEquals(100, p.maxSize());
    assertEquals(InvalidPageSize.USE_DEFAULT, p.onInvalid());
    assertTrue(rule(Plain.class, "pageSizeOnly").limits().isEmpty());
  }

  @Test
  void methodsSharingANameWithTheSameSettingsShareOneRule() throws Exception {
    assertSame(rule(Plain.class, "sharedA"), rule(Plain.class, "sharedB"));
    assertEquals(5, rule(Plain.class, "sharedA").pageSize().defaultSize());
    assertEquals(2, rule(Plain.class, "sharedA").cost());
  }

  @Test
  void rejectsASharedNameWithOtherSettings() throws Exception {
    rule(Plain.class, "sharedA");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rule(Plain.class, "sharedConflict"));
    assertTrue(e.getMessage().contains("sharedConflict()"), e.getMessage());
  }

  @Test
  void rejectsTheNameOfAConfiguredRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rule(Plain.class, "clashesWithConfig"));
    assertTrue(e.getMessage().contains("already a configured rule"), e.getMessage());
  }

  @Test
  void namesTheAnnotationWhenItsValuesCannotBeUsed() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> rule(Plain.class, "badLimit"))
            .getMessage()
            .startsWith("@RateLimit on " + Plain.class.getName() + ".badLimit(): '10/1 minute'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> rule(Plain.class, "badMax"))
            .getMessage()
            .contains("pageSizeMax must be at least 1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> rule(Plain.class, "costAboveTheGlobalQuota"))
            .getMessage()
            .contains("exceeds the quota of the default rule's limit"));
  }

  @Test
  void aClassAnnotationIsOneRuleForItsMethodsAndAMethodAnnotationReplacesIt() throws Exception {
    Rule a = rule(ClassLevel.class, "a");
    assertEquals("ClassLevel", a.name());
    assertEquals("[5/1m as minute]", a.limits().toString());
    assertEquals("ClassLevel.own", rule(ClassLevel.class, "own").name());
  }
}
