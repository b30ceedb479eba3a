package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A page-size rule as the configuration summary shows it and as a value. */
class PageSizeRuleTest {

  private final PageSizeRule two =
      PageSizeRule.of(List.of("pageSize", "limit"), 20, 100, InvalidPageSize.USE_DEFAULT);

  @Test
  void theSummaryNamesEverySetting() {
    assertEquals(
        "page size pageSize|limit default 20 max 100 invalid->"
            + InvalidPageSize.USE_DEFAULT.configName(),
        two.toString());
    assertEquals("page size off", PageSizeRule.disabled().toString());
  }

  @Test
  void rulesWithTheSameSettingsAreEqualAndOthersAreNot() {
    PageSizeRule same =
        PageSizeRule.of(List.of("pageSize", "limit"), 20, 100, InvalidPageSize.USE_DEFAULT);
    assertEquals(two, same);
    assertEquals(two.hashCode(), same.hashCode());
    assertNotEquals(
        two, PageSizeRule.of(List.of("pageSize"), 20, 100, InvalidPageSize.USE_DEFAULT));
    assertNotEquals(
        two, PageSizeRule.of(List.of("pageSize", "limit"), 20, 100, InvalidPageSize.REJECT));
    assertNotEquals(PageSizeRule.defaults(), PageSizeRule.disabled());
    assertNotEquals(two, "page size pageSize|limit");
  }
}
