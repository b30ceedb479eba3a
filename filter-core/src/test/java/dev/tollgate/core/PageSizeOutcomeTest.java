package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PageSizeOutcome's own helpers, which the adapters call directly. */
class PageSizeOutcomeTest {

  private final PageSizeRule rule =
      PageSizeRule.of(List.of("pageSize"), 20, 100, InvalidPageSize.REJECT);

  @Test
  void parameterValuesReadsEveryValueOfANameDecodingValidEscapesOnly() {
    String q = "a=1&pageSize=5&page%53ize=%37&&pageSize=%zz&pageSize&x=pageSize%3D9&pageSize=%2B3";
    assertEquals(
        List.of("5", "7", "%zz", "", "+3"), PageSizeOutcome.parameterValues(q, "pageSize"));
    assertEquals(List.of("1"), PageSizeOutcome.parameterValues(q, "a"));
    assertEquals(List.of("pageSize=9"), PageSizeOutcome.parameterValues(q, "x"));
    assertEquals(List.of(), PageSizeOutcome.parameterValues(q, "absent"));
    assertEquals(List.of(), PageSizeOutcome.parameterValues("", "pageSize"));
    assertEquals(List.of(), PageSizeOutcome.parameterValues(null, "pageSize"));
  }

  @Test
  void aNumberOfSixtyFourCharactersIsReadAndALongerOneIsNot() {
    String sixtyFour = "0".repeat(63) + "5";
    assertEquals(5, PageSizeOutcome.parsePositive(sixtyFour));
    assertNull(PageSizeOutcome.parsePositive("0" + sixtyFour));
    assertEquals(1, PageSizeOutcome.parsePositive("1"));
    assertNull(PageSizeOutcome.parsePositive("0"));
    assertNull(PageSizeOutcome.parsePositive(""));
    assertNull(PageSizeOutcome.parsePositive(null));
  }

  @Test
  void theIntReadingAgreesWithParsePositive() {
    String sixtyFour = "0".repeat(63) + "5";
    for (String raw :
        Arrays.asList(
            "50",
            "050",
            "+50",
            "-5",
            " 5",
            "5a",
            "0",
            "000",
            "",
            null,
            "1",
            "999999999",
            "1000000000",
            "2147483647",
            "2147483648",
            "\u0665\u0660",
            sixtyFour,
            "0" + sixtyFour)) {
      Integer expected = PageSizeOutcome.parsePositive(raw);
      assertEquals(expected == null ? 0 : expected, PageSizeOutcome.positiveOrZero(raw), raw);
    }
  }

  @Test
  void theProblemBodyIsThereOnlyForARejectedValue() {
    PageSizeOutcome rejected =
        PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "abc"));
    assertTrue(rejected.rejected());
    assertEquals(Problems.invalidPageSize(rejected), rejected.problemBody());
    assertTrue(rejected.problemBody().contains("\"status\":400"), rejected.problemBody());
    PageSizeOutcome kept =
        PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "5"));
    assertNull(kept.problemBody());
  }

  @Test
  void withoutARuleOrWithADisabledOneTheOutcomeIsDisabled() {
    PageSizeOutcome none =
        PageSizeOutcome.evaluate(null, TestRequest.get("/x").param("pageSize", "5000"));
    assertSame(PageSizeOutcome.disabled(), none);
    assertEquals(PageSizeOutcome.Status.DISABLED, PageSizeOutcome.disabled().status());
    assertEquals(Map.of(), PageSizeOutcome.disabled().values());
    assertEquals(0, PageSizeOutcome.disabled().maxSize());
    assertSame(
        PageSizeOutcome.disabled(),
        PageSizeOutcome.evaluate(
            PageSizeRule.disabled(), TestRequest.get("/x").param("pageSize", "5000")));
  }

  @Test
  void onlyAValueSentOnceAsAPlainNumberLeavesTheRequestUntouched() {
    PageSizeRule defaultOnInvalid =
        PageSizeRule.of(List.of("pageSize"), 20, 2000, InvalidPageSize.USE_DEFAULT);
    for (String plain : List.of("1", "9", "50", "99", "100")) {
      PageSizeOutcome kept =
          PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", plain));
      assertEquals(PageSizeOutcome.Status.KEPT, kept.status(), plain);
      assertFalse(kept.changesRequest(), plain);
      assertEquals(Map.of("pageSize", Integer.parseInt(plain)), kept.values());
    }
    // Above the shared outcomes (1024), kept values are made per request and still rewrite.
    assertTrue(
        PageSizeOutcome.evaluate(defaultOnInvalid, TestRequest.get("/x").param("pageSize", "1500"))
            .changesRequest());
    // Numbers Integer.parseInt reads but an application may not: shown to it as a plain number.
    for (String odd : List.of("050", "+50", "\u0665\u0660", "5\u0660")) {
      PageSizeOutcome kept =
          PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", odd));
      assertEquals(PageSizeOutcome.Status.KEPT, kept.status(), odd);
      assertTrue(kept.changesRequest(), odd);
    }
    assertTrue(
        PageSizeOutcome.evaluate(
                rule, TestRequest.get("/x").param("pageSize", "50").param("pageSize", "5000"))
            .changesRequest());
    assertTrue(PageSizeOutcome.evaluate(rule, TestRequest.get("/x")).changesRequest());
    assertTrue(
        PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "500"))
            .changesRequest());
    assertTrue(
        PageSizeOutcome.evaluate(defaultOnInvalid, TestRequest.get("/x").param("pageSize", "x"))
            .changesRequest());
    assertFalse(PageSizeOutcome.disabled().changesRequest());
  }

  @Test
  void toStringShowsTheStatusAndTheValues() {
    assertEquals(
        "CLAMPED {pageSize=100}",
        PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "500")).toString());
    assertEquals("DISABLED", PageSizeOutcome.disabled().toString());
  }

  @Test
  void aValueAtTheMaximumIsKeptAndOneAboveIsClamped() {
    for (int size : new int[] {1, 99, 100}) {
      PageSizeOutcome kept =
          PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "" + size));
      assertEquals(PageSizeOutcome.Status.KEPT, kept.status());
      assertEquals(Map.of("pageSize", size), kept.values());
      // Kept values up to the maximum are shared outcomes: no allocation per request.
      assertSame(
          kept, PageSizeOutcome.evaluate(rule, TestRequest.get("/y").param("pageSize", "" + size)));
    }
    PageSizeOutcome clamped =
        PageSizeOutcome.evaluate(rule, TestRequest.get("/x").param("pageSize", "101"));
    assertEquals(PageSizeOutcome.Status.CLAMPED, clamped.status());
    assertEquals(Map.of("pageSize", 100), clamped.values());
  }

  @Test
  void aMaximumAboveTheSharedRangeKeepsEveryValueUpToItAndClampsAbove() {
    PageSizeRule large = PageSizeRule.of(List.of("pageSize"), 20, 2000, InvalidPageSize.REJECT);
    for (int size : new int[] {1023, 1024, 1025, 1026, 1027, 1999, 2000}) {
      PageSizeOutcome kept =
          PageSizeOutcome.evaluate(large, TestRequest.get("/x").param("pageSize", "" + size));
      assertEquals(PageSizeOutcome.Status.KEPT, kept.status(), "" + size);
      assertEquals(Map.of("pageSize", size), kept.values());
    }
    assertSame(
        PageSizeOutcome.evaluate(large, TestRequest.get("/x").param("pageSize", "1024")),
        PageSizeOutcome.evaluate(large, TestRequest.get("/y").param("pageSize", "1024")));
    PageSizeOutcome clamped =
        PageSizeOutcome.evaluate(large, TestRequest.get("/x").param("pageSize", "2001"));
    assertEquals(PageSizeOutcome.Status.CLAMPED, clamped.status());
    assertEquals(Map.of("pageSize", 2000), clamped.values());
  }

  @Test
  void withSeveralParametersAnInvalidValueOfAnyOfThemIsRejectedByName() {
    PageSizeRule two =
        PageSizeRule.of(List.of("pageSize", "limit"), 20, 100, InvalidPageSize.REJECT);
    PageSizeOutcome rejected =
        PageSizeOutcome.evaluate(
            two, TestRequest.get("/x").param("pageSize", "10").param("limit", "ten"));
    assertTrue(rejected.rejected());
    assertEquals("limit", rejected.invalidParameter());
    assertEquals("ten", rejected.invalidValue());
    assertEquals(Map.of(), rejected.values());
    assertEquals(100, rejected.maxSize());
  }

  @Test
  void aPairWithAnEmptyNameIsTheValueOfTheEmptyName() {
    assertEquals(List.of("5", ""), PageSizeOutcome.parameterValues("=5&a=1&=", ""));
    assertEquals(List.of(), PageSizeOutcome.parameterValues("=5", "=5"));
  }

  @Test
  void aPairWithAnEmptyNameIsNotRewrittenEvenForAParameterNamedLikeIt() {
    PageSizeRule odd = PageSizeRule.of(List.of("=5"), 20, 100, InvalidPageSize.REJECT);
    PageSizeOutcome defaulted = PageSizeOutcome.evaluate(odd, TestRequest.get("/x"));
    assertEquals(Map.of("=5", 20), defaulted.values());
    // "=5" is the value 5 of the empty name, as parameterValues reads it: kept, and "=5" added.
    assertEquals("=5&%3D5=20", defaulted.rewriteQuery("=5"));
    assertEquals("a=1&%3D5=20", defaulted.rewriteQuery("a=1&%3d5=7"));
  }
}
