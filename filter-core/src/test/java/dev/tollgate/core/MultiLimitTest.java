package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.engine;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several limits decided together: all admit and all consume, or nothing is consumed. */
class MultiLimitTest {

  private static final Instant T0 = Instant.parse("2026-11-22T18:00:00Z");

  static long remaining(Verdict v, String policy) {
    for (LimitStatus l : v.limits()) {
      if (l.policy().equals(policy)) {
        return l.usage().remaining();
      }
    }
    throw new AssertionError("no policy " + policy + " in " + policies(v));
  }

  static List<String> rejecting(Verdict v) {
    List<String> out = new ArrayList<>();
    for (LimitStatus l : v.limits()) {
      if (l.usage().rejected()) {
        out.add(l.policy());
      }
    }
    return out;
  }

  static List<String> policies(Verdict v) {
    List<String> out = new ArrayList<>();
    for (LimitStatus l : v.limits()) {
      out.add(l.policy());
    }
    return out;
  }

  @Test
  void aRejectionByOneLimitConsumesNothingFromTheOtherLimitsOfTheRule() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t = engine(clock, "limits", "5/1m, 8/1h");
    TestRequest r = TestRequest.get("/x");

    assertEquals(5, admitted(t, r, 5));
    for (int i = 0; i < 20; i++) {
      Verdict v = t.check(r);
      assertFalse(v.proceed());
      assertEquals(List.of("minute"), rejecting(v));
      assertEquals(
          3, remaining(v, "hour"), "rejected calls must not count against the hourly limit");
    }
    clock.advance(Duration.ofMinutes(1));
    assertEquals(3, admitted(t, r, 3));
    Verdict byHour = t.check(r);
    assertFalse(byHour.proceed());
    assertEquals(List.of("hour"), rejecting(byHour));
    assertEquals(
        2, remaining(byHour, "minute"), "the hourly rejection took nothing from the minute");
    assertEquals(2, remaining(t.check(r), "minute"));
  }

  @Test
  void aRejectionByTheEndpointRuleConsumesNothingFromTheDefaultRule() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "10/1m",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "3/1m");
    TestRequest reports = TestRequest.get("/api/reports");
    TestRequest other = TestRequest.get("/api/other");

    assertEquals(3, admitted(t, reports, 3));
    for (int i = 0; i < 10; i++) {
      Verdict v = t.check(reports);
      assertFalse(v.proceed());
      assertEquals(List.of("reports.minute"), rejecting(v));
      assertEquals(7, remaining(v, "minute"));
    }
    assertEquals(
        7,
        admitted(t, other, 20),
        "the default rule still holds exactly what the admitted calls left");
  }

  @Test
  void aRejectionByTheDefaultRuleConsumesNothingFromTheEndpointRule() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "10/1m",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "3/1h");
    TestRequest reports = TestRequest.get("/api/reports");

    assertEquals(10, admitted(t, TestRequest.get("/api/other"), 10));
    for (int i = 0; i < 10; i++) {
      Verdict v = t.check(reports);
      assertFalse(v.proceed());
      assertEquals(List.of("minute"), rejecting(v));
      assertEquals(3, remaining(v, "reports.hour"));
    }
    clock.advance(Duration.ofMinutes(1));
    assertEquals(
        3, admitted(t, reports, 10), "the endpoint's hourly quota is untouched by the rejections");
  }

  @Test
  void bothRulesApplyAndAnEndpointCallCountsAgainstTheDefaultRule() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "10/1m",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "6/1m");
    Verdict v = t.check(TestRequest.get("/api/reports"));
    assertEquals(List.of("minute", "reports.minute"), policies(v));
    assertEquals(9, remaining(v, "minute"));
    assertEquals(5, remaining(v, "reports.minute"));
    assertEquals("reports", v.rule());
  }

  @Test
  void theLargestCostOfTheApplyingRulesIsTakenFromEveryLimitInForce() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "100/1m, 1000/1h",
            "rules.export.path",
            "/api/export",
            "rules.export.limits",
            "50/1m",
            "rules.export.cost",
            "5");
    Verdict v = t.check(TestRequest.get("/api/export"));
    assertTrue(v.proceed());
    assertEquals(
        95, remaining(v, "minute"), "the endpoint's cost applies to the default rule's limits too");
    assertEquals(995, remaining(v, "hour"));
    assertEquals(45, remaining(v, "export.minute"));

    Verdict plain = t.check(TestRequest.get("/api/other"));
    assertEquals(94, remaining(plain, "minute"), "other paths still cost 1");
  }

  @Test
  void aDefaultCostAppliesToEveryRequestAndALargerEndpointCostWins() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "100/1m",
            "cost",
            "2",
            "rules.cheap.path",
            "/cheap",
            "rules.cheap.limits",
            "50/1m",
            "rules.cheap.cost",
            "1",
            "rules.dear.path",
            "/dear",
            "rules.dear.limits",
            "50/1m",
            "rules.dear.cost",
            "7");
    assertEquals(98, remaining(t.check(TestRequest.get("/x")), "minute"));
    Verdict cheap = t.check(TestRequest.get("/cheap"));
    assertEquals(
        96, remaining(cheap, "minute"), "the largest cost among the applying rules (default 2)");
    assertEquals(48, remaining(cheap, "cheap.minute"));
    assertEquals(89, remaining(t.check(TestRequest.get("/dear")), "minute"));
  }

  @Test
  void aRequestWhoseCostExceedsWhatIsLeftIsRejectedAndConsumesNothing() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t =
        engine(
            clock,
            "limits",
            "12/1m",
            "rules.export.path",
            "/api/export",
            "rules.export.limits",
            "100/1m",
            "rules.export.cost",
            "5");
    TestRequest export = TestRequest.get("/api/export");
    assertTrue(t.check(export).proceed());
    assertTrue(t.check(export).proceed());
    Verdict third = t.check(export);
    assertFalse(third.proceed(), "2 left, cost 5");
    assertEquals(2, remaining(third, "minute"));
    assertEquals(90, remaining(third, "export.minute"));
    assertEquals(2, admitted(t, TestRequest.get("/x"), 5));
  }

  @Test
  void anExtraRuleFromTheAdapterIsDecidedAtomicallyWithTheConfiguredRules() {
    FakeClock clock = new FakeClock(T0.plusSeconds(5));
    Tollgate t = engine(clock, "limits", "10/1m");
    Rule annotated = Rule.builder("search").limits("3/1m").build();
    TestRequest r = TestRequest.get("/search");
    for (int i = 0; i < 3; i++) {
      assertTrue(t.check(r, annotated).proceed());
    }
    Verdict v = t.check(r, annotated);
    assertFalse(v.proceed());
    assertEquals(List.of("search.minute"), rejecting(v));
    assertEquals("search", v.rule());
    assertEquals(7, remaining(v, "minute"));
    assertEquals(7, admitted(t, TestRequest.get("/other"), 10));
  }

  // ---- count-rejected --------------------------------------------------------------------------

  @Test
  void countRejectedFixedWindowConsumesRejectedCallsButRetryAfterStaysWithinTheWindow() {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t = engine(clock, "limits", "10/1m", "count-rejected", "true");
    TestRequest r = TestRequest.get("/x");
    assertEquals(10, admitted(t, r, 10));
    clock.set(T0.plusSeconds(20));
    Verdict last = null;
    for (int i = 0; i < 100; i++) {
      last = t.check(r);
      assertFalse(last.proceed());
    }
    assertEquals("40", header(last, "Retry-After"), "bounded by the end of the fixed window");
    clock.set(T0.plusSeconds(60));
    assertEquals(
        10, admitted(t, r, 20), "a new window starts fresh however many calls were rejected");
  }

  @Test
  void countRejectedRollingWindowMakesRetryAfterGrowWithEveryRejectedCall() {
    FakeClock clock = new FakeClock(T0);
    Tollgate counting = engine(clock, "limits", "10/1m rolling(1s)", "count-rejected", "true");
    Tollgate plain = engine(clock, "limits", "10/1m rolling(1s)");
    TestRequest r = TestRequest.get("/x");
    assertEquals(10, admitted(counting, r, 10));
    assertEquals(10, admitted(plain, r, 10));

    clock.set(T0.plusSeconds(30));
    long firstCounting = retryAfter(counting.check(r));
    long firstPlain = retryAfter(plain.check(r));
    assertEquals(31, firstCounting, "the 10 spent in [0s,1s) leave the window at 61s");
    assertEquals(31, firstPlain);
    for (int i = 0; i < 20; i++) {
      counting.check(r);
      plain.check(r);
    }
    assertEquals(firstPlain, retryAfter(plain.check(r)), "without count-rejected nothing changes");
    long later = retryAfter(counting.check(r));
    assertTrue(later > firstCounting, "Retry-After must grow with counted rejections: " + later);
    assertEquals(61, later, "the calls rejected at 30s count until 91s");
    clock.set(T0.plusSeconds(61));
    assertFalse(counting.check(r).proceed(), "the rejected calls are still counted");
    assertTrue(plain.check(r).proceed());
  }

  @Test
  void countRejectedTokenBucketNeverOwesMoreThanOneWindow() {
    FakeClock clock = new FakeClock(T0);
    Tollgate t = engine(clock, "limits", "10/1m token-bucket", "count-rejected", "true");
    TestRequest r = TestRequest.get("/x");
    assertEquals(10, admitted(t, r, 10));
    for (int i = 0; i < 1000; i++) {
      Verdict v = t.check(r);
      assertFalse(v.proceed());
      assertTrue(retryAfter(v) <= 6, "one token is 6 s; owed: " + retryAfter(v));
    }
    clock.advance(Duration.ofMinutes(1));
    assertEquals(10, admitted(t, r, 20), "after one window the bucket is full again");
  }

  @Test
  void withoutCountRejectedRejectedCallsAreFree() {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t = engine(clock, "limits", "10/1m rolling(1s)");
    TestRequest r = TestRequest.get("/x");
    assertEquals(10, admitted(t, r, 10));
    clock.set(T0.plusSeconds(40));
    assertEquals(0, admitted(t, r, 500));
    clock.set(T0.plusSeconds(71));
    assertEquals(10, admitted(t, r, 20));
  }

  static long retryAfter(Verdict v) {
    assertEquals(429, v.status());
    return Long.parseLong(header(v, "Retry-After"));
  }
}
