package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path patterns as rules write them: exact paths, one-segment wildcards and a final {@code /**};
 * which paths each matches, how they rank, and the patterns refused.
 */
class PathPatternTest {

  private static final String WILDCARDS =
      "is not a path pattern ('*' stands for a whole segment, '**' only at the end)";

  @ParameterizedTest
  @CsvSource({
    "/api/reports, /api/reports, true",
    "/api/reports, /api/reports/, true",
    "/api/reports, //api//reports//, true",
    "/api/reports, /api/reports/x, false",
    "/api/reports, /api, false",
    "/api/reports, /api/reportsx, false",
    "/api/reports, /api/report, false",
    "/api/reports, /api/x, false",
    "/api/reports, /, false",
    "/api/assets/*, /api/assets/logo.png, true",
    "/api/assets/*, /api/assets/logo.png/, true",
    "/api/assets/*, /api/assets, false",
    "/api/assets/*, /api/assets/a/b, false",
    "/api/*/items, /api/7/items, true",
    "/api/*/items, /api/7/other, false",
    "/api/**, /api, true",
    "/api/**, /api/, true",
    "/api/**, /api/x/y/z, true",
    "/api/**, /apix, false",
    "/api/**, /other/api, false",
    "/**, /, true",
    "/**, /anything/at/all, true",
    "/, /, true",
    "/, '', true",
    "/, /x, false",
  })
  void aPatternMatchesItsPathsOnly(String pattern, String path, boolean matches) {
    assertEquals(matches, PathPattern.compile(pattern).matches(path), pattern + " on " + path);
  }

  @Test
  void aRequestWithoutAPathIsAtTheRoot() {
    assertTrue(PathPattern.compile("/").matches(null));
    assertTrue(PathPattern.compile("/**").matches(null));
    assertFalse(PathPattern.compile("/api").matches(null));
  }

  @Test
  void literalSegmentsRankAboveWildcardsAndAnExactPatternAboveAnyDepth() {
    int exact = PathPattern.compile("/api/reports").specificity();
    int wildcard = PathPattern.compile("/api/*").specificity();
    int belowReports = PathPattern.compile("/api/reports/**").specificity();
    int belowApi = PathPattern.compile("/api/**").specificity();
    int everything = PathPattern.compile("/**").specificity();
    assertTrue(exact > belowReports, "an exact path beats everything below it");
    assertTrue(exact > wildcard, "a literal segment beats a wildcard");
    assertTrue(belowReports > belowApi, "a longer prefix beats a shorter one");
    assertTrue(wildcard > belowApi, "one wildcard segment beats any depth");
    assertTrue(belowApi > everything);
    assertTrue(PathPattern.compile("/").specificity() > everything, "the root alone beats /**");
  }

  @Test
  void aPatternIsShownAsWrittenWithoutSurroundingSpace() {
    assertEquals("/api/**", PathPattern.compile("  /api/**  ").toString());
    assertEquals("/**", PathPattern.compile(" /** ").toString());
    assertEquals("/api//x/", PathPattern.compile("/api//x/").toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "api/reports | is not a path pattern (expected it to start with '/', e.g. /api/reports/**)",
        "/api/**/items | " + WILDCARDS,
        "/api/*** | " + WILDCARDS,
        "/api/report* | " + WILDCARDS,
        "/api/**x | " + WILDCARDS,
      })
  void aPatternWithAPartialWildcardOrAnInnerDoubleStarIsRefused(String pattern, String message) {
    assertEquals(
        message,
        assertThrows(IllegalArgumentException.class, () -> PathPattern.compile(pattern))
            .getMessage());
  }
}
