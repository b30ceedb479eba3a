package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.internal.PathPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A rule's path patterns: none covers every path; otherwise the best matching one counts. */
class RulePathsTest {

  private static RulePaths paths(String... patterns) {
    return new RulePaths(List.of(patterns).stream().map(PathPattern::compile).toList());
  }

  @Test
  void noPatternsCoverEveryPath() {
    RulePaths none = paths();
    assertTrue(none.isEmpty());
    assertTrue(none.matches("/anything"));
    assertEquals(0, none.specificity("/anything"));
    assertEquals(List.of(), none.written());
  }

  @Test
  void aPathIsCoveredIfAnyPatternMatchesEvenOneOfSpecificityZero() {
    RulePaths everything = paths("/**");
    assertFalse(everything.isEmpty());
    assertTrue(everything.matches("/anything/below"));
    RulePaths two = paths("/api/reports", "/api/**");
    assertTrue(two.matches("/api/reports"));
    assertTrue(two.matches("/api/other"));
    assertFalse(two.matches("/other"));
    assertEquals(-1, two.specificity("/other"));
    assertTrue(
        two.specificity("/api/reports") > two.specificity("/api/other"),
        "the exact pattern counts where it matches");
  }

  @Test
  void thePatternsAreShownAsWritten() {
    RulePaths two = paths(" /api/reports ", "/api/**");
    assertEquals(List.of("/api/reports", "/api/**"), two.written());
    assertEquals("[/api/reports, /api/**]", two.toString());
  }
}
