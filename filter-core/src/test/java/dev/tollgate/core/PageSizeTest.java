package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every page-size case, through the engine, and the 400 problem body. */
class PageSizeTest {

  private final FakeClock clock = FakeClock.at1800();
  private final Tollgate defaults = engine(clock, "limits", "1000/1m");
  private final Tollgate lenient =
      engine(clock, "limits", "1000/1m", "page-size.on-invalid", "default");

  private static TestRequest q(String rawQuery) {
    return TestRequest.get("/api/items").query(rawQuery);
  }

  @Test
  void aMissingPageSizeGetsTheDefault() {
    Verdict v = defaults.check(q("sort=name"));
    assertTrue(v.proceed());
    PageSizeOutcome p = v.pageSize();
    assertEquals(PageSizeOutcome.Status.DEFAULTED, p.status());
    assertEquals(Map.of("pageSize", 20), p.values());
    assertEquals("sort=name&pageSize=20", p.rewriteQuery("sort=name"));
  }

  @Test
  void aMissingPageSizeIsAppendedToNoQueryAndToAnEmptyQuery() {
    PageSizeOutcome p = defaults.check(TestRequest.get("/api/items")).pageSize();
    assertEquals("pageSize=20", p.rewriteQuery(null));
    assertEquals("pageSize=20", p.rewriteQuery(""));
  }

  @Test
  void aValueWithinBoundsIsKeptAndTheQueryIsLeftAlone() {
    PageSizeOutcome p = defaults.check(q("pageSize=50&a=1")).pageSize();
    assertEquals(PageSizeOutcome.Status.KEPT, p.status());
    assertEquals(Map.of("pageSize", 50), p.values());
    String raw = "pageSize=50&a=1";
    assertSame(raw, p.rewriteQuery(raw));
  }

  @Test
  void aValueAboveTheMaximumIsClampedToTheMaximum() {
    Verdict v = defaults.check(q("pageSize=5000"));
    assertTrue(v.proceed());
    assertEquals(PageSizeOutcome.Status.CLAMPED, v.pageSize().status());
    assertEquals(Map.of("pageSize", 1000), v.pageSize().values());
    assertEquals("pageSize=1000&b=2", v.pageSize().rewriteQuery("pageSize=5000&b=2"));
  }

  /**
   * Each maximum at max - 1, max and max + 1, for the default rule and an endpoint rule, through
   * the one-name fast path and the general loop of several names (for every name of the rule).
   */
  @ParameterizedTest(name = "parameters={0}")
  @ValueSource(strings = {"pageSize", "pageSize, limit"})
  void theMaximumItselfIsKeptAndOneAboveItIsClamped(String parameters) {
    Tollgate t =
        engine(
            clock,
            "limits",
            "1000/1m",
            "page-size.parameters",
            parameters,
            "page-size.max",
            "1000",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.page-size.max",
            "100");
    for (String name : parameters.split(", ")) {
      assertBoundary(t, "/api/items", name, 1000);
      assertBoundary(t, "/api/reports", name, 100);
    }
  }

  @Test
  void aMaximumOfOneKeepsOneAndClampsTwo() {
    Tollgate t = engine(clock, "limits", "1000/1m", "page-size.max", "1", "page-size.default", "1");
    assertOutcome(t, "/x", "pageSize", 1, PageSizeOutcome.Status.KEPT, 1);
    assertOutcome(t, "/x", "pageSize", 2, PageSizeOutcome.Status.CLAMPED, 1);
  }

  @Test
  void theLargestIntIsClampedAndOneMoreIsInvalid() {
    assertOutcome(
        defaults, "/x", "pageSize", Integer.MAX_VALUE, PageSizeOutcome.Status.CLAMPED, 1000);
    Verdict tooBig = defaults.check(TestRequest.get("/x").param("pageSize", "2147483648"));
    assertEquals(
        PageSizeOutcome.Status.REJECTED,
        tooBig.pageSize().status(),
        "beyond int is not a number we read");
  }

  private static void assertBoundary(Tollgate t, String path, String name, int max) {
    assertOutcome(t, path, name, max - 1, PageSizeOutcome.Status.KEPT, max - 1);
    assertOutcome(t, path, name, max, PageSizeOutcome.Status.KEPT, max);
    assertOutcome(t, path, name, max + 1, PageSizeOutcome.Status.CLAMPED, max);
  }

  private static void assertOutcome(
      Tollgate t, String path, String name, int sent, PageSizeOutcome.Status status, int seen) {
    String raw = name + "=" + sent;
    PageSizeOutcome p = t.check(TestRequest.get(path).query(raw)).pageSize();
    String where = path + "?" + raw;
    assertEquals(status, p.status(), where);
    assertEquals(seen, p.values().get(name), where);
    assertEquals(name + "=" + seen, p.rewriteQuery(raw), where);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "1e3", "", "99999999999", "5 0", "0x10", "1.5", "NaN"})
  void anInvalidValueIsRejectedWith400(String value) {
    Verdict v = defaults.check(TestRequest.get("/api/items").param("pageSize", value));
    assertFalse(v.proceed());
    assertEquals(400, v.status());
    assertEquals(Verdict.Outcome.INVALID_PAGE_SIZE, v.outcome());
    assertEquals(PageSizeOutcome.Status.REJECTED, v.pageSize().status());
    assertTrue(v.pageSize().rejected());
    assertEquals("pageSize", v.pageSize().invalidParameter());
    assertEquals(value, v.pageSize().invalidValue());
    Map<String, Object> body = MiniJson.object(v.problemBody());
    assertEquals(400L, body.get("status"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "1e3", "", "99999999999"})
  void anInvalidValueGetsTheDefaultWhenOnInvalidIsDefault(String value) {
    Verdict v = lenient.check(TestRequest.get("/api/items").param("pageSize", value));
    assertTrue(v.proceed());
    assertEquals(PageSizeOutcome.Status.INVALID_DEFAULTED, v.pageSize().status());
    assertEquals(Map.of("pageSize", 20), v.pageSize().values());
    assertNull(v.problemBody());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"+5000", "0005000", "\uff15\uff10\uff10\uff10", "\u0665\u0660\u0660\u0660"})
  void signedPaddedAndNonAsciiDigitsCountAsTheirValueAndAreClamped(String value) {
    Verdict v = defaults.check(TestRequest.get("/api/items").param("pageSize", value));
    assertTrue(v.proceed(), value);
    assertEquals(PageSizeOutcome.Status.CLAMPED, v.pageSize().status(), value);
    assertEquals(Map.of("pageSize", 1000), v.pageSize().values());
  }

  @Test
  void aNonAsciiValueWithinBoundsReachesTheAppAsAsciiDigits() {
    Verdict v = defaults.check(q("pageSize=%EF%BC%95%EF%BC%90&x=1"));
    assertEquals(Map.of("pageSize", 50), v.pageSize().values());
    assertEquals("pageSize=50&x=1", v.pageSize().rewriteQuery("pageSize=%EF%BC%95%EF%BC%90&x=1"));
    assertEquals("pageSize=50", v.pageSize().rewriteQuery("pageSize=%2B50"));
  }

  @Test
  void aRepeatedParameterHasEveryValueCheckedAndOneValueReachesTheApp() {
    PageSizeOutcome p = defaults.check(q("pageSize=10&pageSize=5000")).pageSize();
    assertEquals(Map.of("pageSize", 10), p.values());
    assertEquals("pageSize=10&a=b", p.rewriteQuery("pageSize=10&a=b&pageSize=5000"));

    PageSizeOutcome bigFirst = defaults.check(q("pageSize=5000&pageSize=10")).pageSize();
    assertEquals(Map.of("pageSize", 1000), bigFirst.values());
    assertEquals("pageSize=1000", bigFirst.rewriteQuery("pageSize=5000&pageSize=10"));

    Verdict hidden = defaults.check(q("pageSize=10&pageSize=abc"));
    assertEquals(400, hidden.status(), "an invalid second value must not slip through");
    assertEquals("abc", hidden.pageSize().invalidValue());
  }

  @Test
  void rewriteKeepsOtherParametersByteForByte() {
    PageSizeOutcome p = defaults.check(q("pageSize=5000")).pageSize();
    String raw = "q=a%20b+c&x=%E2%82%AC&pageSize=5000&flag&e=&sort=-name%2Cid";
    assertEquals(
        "q=a%20b+c&x=%E2%82%AC&pageSize=1000&flag&e=&sort=-name%2Cid", p.rewriteQuery(raw));
  }

  @Test
  void rewriteKeepsMalformedPercentEncodingInOtherParameters() {
    PageSizeOutcome p = defaults.check(q("pageSize=5000")).pageSize();
    assertEquals(
        "%zz=1&a=%&pageSize=1000&b=%E2%82", p.rewriteQuery("%zz=1&a=%&pageSize=5000&b=%E2%82"));
  }

  @Test
  void rewriteReplacesAPercentEncodedParameterName() {
    TestRequest r = q("page%53ize=5000&a=1");
    assertEquals(List.of("5000"), r.parameterValues("pageSize"));
    PageSizeOutcome p = defaults.check(r).pageSize();
    assertEquals("pageSize=1000&a=1", p.rewriteQuery("page%53ize=5000&a=1"));
    assertEquals("a=1&pageSize=1000", p.rewriteQuery("a=1&pageSize=7&page%53ize=5000"));
  }

  @Test
  void anEndpointRuleMaximumOverridesTheDefault() {
    Tollgate t =
        engine(
            clock,
            "limits",
            "1000/1m",
            "rules.reports.path",
            "/api/reports/**",
            "rules.reports.page-size.max",
            "100");
    Verdict reports = t.check(TestRequest.get("/api/reports/daily").param("pageSize", "500"));
    assertEquals(Map.of("pageSize", 100), reports.pageSize().values());
    assertEquals(100, reports.pageSize().maxSize());
    Verdict reportsDefault = t.check(TestRequest.get("/api/reports/daily"));
    assertEquals(Map.of("pageSize", 20), reportsDefault.pageSize().values());
    Verdict other = t.check(TestRequest.get("/api/items").param("pageSize", "500"));
    assertEquals(Map.of("pageSize", 500), other.pageSize().values());
  }

  @Test
  void anEndpointRuleWithoutPageSizeSettingsUsesTheDefaultRules() {
    Tollgate t =
        engine(
            clock,
            "limits",
            "1000/1m",
            "page-size.max",
            "200",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "10/1m");
    assertEquals(
        Map.of("pageSize", 200),
        t.check(TestRequest.get("/api/reports").param("pageSize", "500")).pageSize().values());
  }

  @Test
  void aDisabledPageSizeRuleLeavesEverythingAlone() {
    Tollgate off = engine(clock, "limits", "1000/1m", "page-size.enabled", "false");
    Verdict v = off.check(q("pageSize=abc"));
    assertTrue(v.proceed());
    assertEquals(PageSizeOutcome.Status.DISABLED, v.pageSize().status());
    assertTrue(v.pageSize().values().isEmpty());
    String raw = "pageSize=abc";
    assertSame(raw, v.pageSize().rewriteQuery(raw));
    assertNull(v.pageSize().rewriteQuery(null));

    Tollgate offForOneRule =
        engine(
            clock,
            "limits",
            "1000/1m",
            "rules.raw.path",
            "/raw",
            "rules.raw.page-size.enabled",
            "false");
    assertEquals(
        PageSizeOutcome.Status.DISABLED,
        offForOneRule.check(TestRequest.get("/raw").param("pageSize", "5000")).pageSize().status());
    assertEquals(
        PageSizeOutcome.Status.CLAMPED,
        offForOneRule
            .check(TestRequest.get("/other").param("pageSize", "5000"))
            .pageSize()
            .status());
  }

  @Test
  void otherParameterNamesAndDefaultsAreConfigurable() {
    Tollgate t =
        engine(
            clock,
            "limits",
            "1000/1m",
            "page-size.parameters",
            "limit, per_page",
            "page-size.default",
            "25",
            "page-size.max",
            "250");
    PageSizeOutcome p = t.check(q("per_page=900")).pageSize();
    assertEquals(Map.of("per_page", 250), p.values());
    PageSizeOutcome missing = t.check(q("a=1")).pageSize();
    assertEquals(Map.of("limit", 25), missing.values(), "the first name receives the default");
  }

  @Test
  void aRequestRejectedForItsPageSizeStillCountsAgainstTheRateLimit() {
    Tollgate t = engine(clock, "limits", "2/1m");
    assertEquals(400, t.check(q("pageSize=abc")).status());
    assertTrue(t.check(q("pageSize=5")).proceed());
    assertEquals(
        429, t.check(q("pageSize=abc")).status(), "429 takes precedence once the quota is spent");
  }

  // ---- the 400 problem body --------------------------------------------------------------------

  @Test
  void the400ProblemIsValidJsonNamingTheParameter() {
    Verdict v = defaults.check(TestRequest.get("/api/items").param("pageSize", "abc"));
    Map<String, Object> body = MiniJson.object(v.problemBody());
    assertEquals(400L, body.get("status"));
    assertEquals("Bad Request", body.get("title"));
    assertTrue(body.containsKey("type"));
    assertTrue(((String) body.get("detail")).contains("'pageSize'"), body.toString());
    assertTrue(((String) body.get("detail")).contains("'abc'"), body.toString());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> invalid = (List<Map<String, Object>>) body.get("invalid-params");
    assertEquals("pageSize", invalid.get(0).get("name"));
  }

  @Test
  void the400ProblemEscapesTheEchoedValue() {
    String nasty = "\"}\\,\u0000\u0007\r\nX-Injected: 1\t\u2028";
    Verdict v = defaults.check(TestRequest.get("/api/items").param("pageSize", nasty));
    String raw = v.problemBody();
    assertFalse(
        raw.contains("\r")
            || raw.contains("\n")
            || raw.contains("\u0000")
            || raw.contains("\u2028"),
        raw);
    Map<String, Object> body = MiniJson.object(raw);
    assertTrue(
        ((String) body.get("detail")).contains(nasty),
        "the value round-trips through JSON: " + body);
  }

  @Test
  void the400ProblemTruncatesALongValue() {
    String longValue = "9".repeat(10_000);
    Verdict v = defaults.check(TestRequest.get("/api/items").param("pageSize", longValue));
    assertEquals(400, v.status());
    assertTrue(v.problemBody().length() < 600, "body length " + v.problemBody().length());
    Map<String, Object> body = MiniJson.object(v.problemBody());
    assertFalse(((String) body.get("detail")).contains("9".repeat(100)));
  }
}
