package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.engine;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each header dialect against exact expected strings. */
class HeaderDialectTest {

  /** 18:00:30 UTC: 30 s to the next minute, 5h59m30s (21570 s) to the next UTC day. */
  private static final Instant NOW = Instant.parse("2026-11-22T18:00:30Z");

  private final TestRequest request = TestRequest.get("/api/things");

  @Test
  void ietfDraft10ListsEveryLimitAsStructuredFields() {
    Tollgate t =
        engine(new FakeClock(NOW), "limits", "100/1m, 10000/1d", "headers.dialects", "ietf");
    Verdict v = t.check(request);
    assertEquals("\"minute\";q=100;w=60, \"day\";q=10000;w=86400", header(v, "RateLimit-Policy"));
    assertEquals("\"minute\";r=99;t=30, \"day\";r=9999;t=21570", header(v, "RateLimit"));
    assertNull(header(v, "Retry-After"), "Retry-After only on 429");
    assertNull(header(v, "RateLimit-Limit"));
  }

  @Test
  void ietfIsTheDefaultDialectAndNamesEndpointLimitsByRule() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "100/1m",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "10/1h as hourly");
    Verdict v = t.check(TestRequest.get("/api/reports"));
    assertEquals(
        "\"minute\";q=100;w=60, \"reports.hourly\";q=10;w=3600", header(v, "RateLimit-Policy"));
    assertEquals("\"minute\";r=99;t=30, \"reports.hourly\";r=9;t=3570", header(v, "RateLimit"));
  }

  @Test
  void ietfListsThreeLimitsInOrderAndCapsEveryTOnA429() {
    // One and two limits are written as one concatenation each; three and more through a builder.
    Tollgate t =
        engine(new FakeClock(NOW), "limits", "3/1m, 100/1h, 1000/1d", "headers.dialects", "ietf");
    Verdict first = t.check(request);
    assertEquals(
        "\"minute\";r=2;t=30, \"hour\";r=99;t=3570, \"day\";r=999;t=21570",
        header(first, "RateLimit"));
    assertEquals(2, admitted(t, request, 2));
    Verdict rejected = t.check(request);
    assertFalse(rejected.proceed());
    assertEquals(
        "\"minute\";r=0;t=30, \"hour\";r=97;t=30, \"day\";r=997;t=30",
        header(rejected, "RateLimit"));
  }

  @Test
  void ietfDraft6ReportsTheNearestLimitAndEveryPolicy() {
    Tollgate t =
        engine(
            new FakeClock(NOW), "limits", "100/1m, 10000/24h", "headers.dialects", "ietf-draft-6");
    Verdict v = t.check(request);
    assertEquals("100", header(v, "RateLimit-Limit"));
    assertEquals("99", header(v, "RateLimit-Remaining"));
    assertEquals("30", header(v, "RateLimit-Reset"));
    assertEquals("100;w=60, 10000;w=86400", header(v, "RateLimit-Policy"));
    assertNull(header(v, "RateLimit"));
  }

  @Test
  void trutoHeadersAreLowerCaseWithTheWindowOnTheLimit() {
    Tollgate t =
        engine(new FakeClock(NOW.plusSeconds(3)), "limits", "110/10s", "headers.dialects", "truto");
    Verdict v = t.check(request);
    assertEquals("110;w=10", header(v, "ratelimit-limit"));
    assertEquals("109", header(v, "ratelimit-remaining"));
    assertEquals("7", header(v, "ratelimit-reset"));
    assertEquals(3, v.headers().size(), v.headers().toString());
  }

  @Test
  void teosHeadersGiveThePeriodAndTheResetInDotNetRoundTripForm() {
    Verdict minute =
        engine(new FakeClock(NOW), "limits", "100/1m", "headers.dialects", "teos").check(request);
    assertEquals("1m", header(minute, "X-Rate-Limit-Limit"));
    assertEquals("99", header(minute, "X-Rate-Limit-Remaining"));
    assertEquals("2026-11-22T18:01:00.0000000Z", header(minute, "X-Rate-Limit-Reset"));

    Verdict halfDay =
        engine(new FakeClock(NOW), "limits", "1000/12h", "headers.dialects", "teos").check(request);
    assertEquals("12h", header(halfDay, "X-Rate-Limit-Limit"));
    assertEquals("2026-11-23T00:00:00.0000000Z", header(halfDay, "X-Rate-Limit-Reset"));

    Verdict day =
        engine(new FakeClock(NOW), "limits", "1000/24h", "headers.dialects", "teos").check(request);
    assertEquals("1d", header(day, "X-Rate-Limit-Limit"));
    assertEquals("999", header(day, "X-Rate-Limit-Remaining"));
  }

  @Test
  void everyResponseInAWindowCarriesTheSameTeosReset() {
    FakeClock clock = new FakeClock(NOW);
    Tollgate t = engine(clock, "limits", "100/1m", "headers.dialects", "teos");
    for (int i = 0; i < 3; i++) {
      assertEquals(
          "2026-11-22T18:01:00.0000000Z", header(t.check(request), "X-Rate-Limit-Reset"), "#" + i);
      clock.advanceSeconds(10);
    }
    clock.advanceSeconds(30);
    assertEquals("2026-11-22T18:02:00.0000000Z", header(t.check(request), "X-Rate-Limit-Reset"));
  }

  @Test
  void teosResetKeepsSubSecondPrecisionInSevenDigits() {
    Verdict v =
        engine(
                new FakeClock(NOW.plusMillis(250)),
                "limits",
                "60/1m token-bucket",
                "headers.dialects",
                "teos")
            .check(request);
    // 60/1m refills one token per second: the next token is 1 s after the first call.
    assertEquals("2026-11-22T18:00:31.2500000Z", header(v, "X-Rate-Limit-Reset"));
  }

  @Test
  void githubHeadersGiveUsedAndTheResetInEpochSecondsAndTheRuleAsResource() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "100/1m",
            "headers.dialects",
            "github",
            "rules.search.path",
            "/search",
            "rules.search.limits",
            "30/1m");
    Verdict v = t.check(request);
    v = t.check(request);
    assertEquals("100", header(v, "X-RateLimit-Limit"));
    assertEquals("98", header(v, "X-RateLimit-Remaining"));
    assertEquals("2", header(v, "X-RateLimit-Used"));
    assertEquals(
        Long.toString(Instant.parse("2026-11-22T18:01:00Z").getEpochSecond()),
        header(v, "X-RateLimit-Reset"));
    assertEquals("default", header(v, "X-RateLimit-Resource"));

    Verdict search = t.check(TestRequest.get("/search"));
    assertEquals("30", header(search, "X-RateLimit-Limit"));
    assertEquals("29", header(search, "X-RateLimit-Remaining"));
    assertEquals("search", header(search, "X-RateLimit-Resource"));
  }

  @Test
  void severalDialectsAreSentTogether() {
    Verdict v =
        engine(new FakeClock(NOW), "limits", "100/1m", "headers.dialects", "ietf, teos, github")
            .check(request);
    assertEquals("\"minute\";r=99;t=30", header(v, "RateLimit"));
    assertEquals("1m", header(v, "X-Rate-Limit-Limit"));
    assertEquals("99", header(v, "X-RateLimit-Remaining"));
  }

  @Test
  void noDialectStillSendsRetryAfterOn429() {
    Tollgate t = engine(new FakeClock(NOW), "limits", "1/1m", "headers.dialects", "none");
    assertTrue(t.check(request).headers().isEmpty());
    Verdict rejected = t.check(request);
    assertEquals(List.of(new Header("Retry-After", "30")), rejected.headers());
  }

  // ---- which limit the single-limit dialects report -------------------------------------------

  @Test
  void singleLimitDialectsReportTheLimitWithTheLeastRemaining() {
    Verdict v =
        engine(new FakeClock(NOW), "limits", "100/1m, 50/1h", "headers.dialects", "ietf-draft-6")
            .check(request);
    assertEquals("50", header(v, "RateLimit-Limit"));
    assertEquals("49", header(v, "RateLimit-Remaining"));
    assertEquals("3570", header(v, "RateLimit-Reset"));
  }

  @Test
  void aTieInRemainingGoesToTheLimitThatResetsLater() {
    Verdict v =
        engine(new FakeClock(NOW), "limits", "10/1m, 10/1h", "headers.dialects", "truto")
            .check(request);
    assertEquals("10;w=3600", header(v, "ratelimit-limit"));
    assertEquals("3570", header(v, "ratelimit-reset"));
  }

  @Test
  void on429TheSingleLimitDialectsReportARejectingLimit() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "5/1m, 3/1h",
            "headers.dialects",
            "github",
            "rules.x.path",
            "/x",
            "rules.x.limits",
            "2/1m");
    TestRequest x = TestRequest.get("/x");
    assertEquals(2, admitted(t, x, 2));
    Verdict v = t.check(x);
    assertFalse(v.proceed());
    assertEquals("2", header(v, "X-RateLimit-Limit"));
    assertEquals("0", header(v, "X-RateLimit-Remaining"));
    assertEquals("x", header(v, "X-RateLimit-Resource"));
  }

  @Test
  void on429TheReportedLimitIsTheRejectingOneEvenWhenAnAdmittingOneTiesAndResetsLater() {
    // The default rule counts rejected calls: its hour drops to 0 on the 429 without rejecting, and
    // would win the tie on its later reset; but only x.minute rejected, so x.minute is reported.
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "2/1h",
            "count-rejected",
            "true",
            "headers.dialects",
            "ietf-draft-6",
            "rules.x.path",
            "/x",
            "rules.x.limits",
            "1/1m");
    TestRequest x = TestRequest.get("/x");
    assertTrue(t.check(x).proceed());
    Verdict v = t.check(x);
    assertFalse(v.proceed());
    assertEquals(List.of("x.minute"), MultiLimitTest.rejecting(v));
    assertEquals(0, MultiLimitTest.remaining(v, "hour"));
    assertEquals("1", header(v, "RateLimit-Limit"));
    assertEquals("0", header(v, "RateLimit-Remaining"));
    assertEquals("30", header(v, "RateLimit-Reset"));
    assertEquals("30", header(v, "Retry-After"));
  }

  @Test
  void whenSeveralLimitsRejectRetryAfterAndTheReportedLimitAreTheLatest() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "10/1m, 10/1h",
            "cost",
            "5",
            "headers.dialects",
            "ietf-draft-6");
    assertTrue(t.check(request).proceed());
    assertTrue(t.check(request).proceed());
    Verdict v = t.check(request);
    assertFalse(v.proceed());
    assertEquals(List.of("minute", "hour"), MultiLimitTest.rejecting(v));
    assertEquals("0", header(v, "RateLimit-Remaining"));
    assertEquals("3570", header(v, "Retry-After"), "the later of the two rejecting limits");
    assertEquals("3570", header(v, "RateLimit-Reset"));
    assertEquals("10", header(v, "RateLimit-Limit"));
  }

  @Test
  void retryAfterIsSentOnEvery429AndIsNeverBeforeTheRejectingLimitsReset() {
    Tollgate t = engine(new FakeClock(NOW), "limits", "3/1m, 100/1h", "headers.dialects", "ietf");
    assertEquals(3, admitted(t, request, 3));
    Verdict v = t.check(request);
    assertEquals("30", header(v, "Retry-After"));
    // draft-11: Retry-After must not point before the end of any effective window, so on a 429 no
    // t goes beyond it (within 30 s the hour's 97 are still all there is).
    assertEquals("\"minute\";r=0;t=30, \"hour\";r=97;t=30", header(v, "RateLimit"));
  }

  // ---- headers.after-used-share ----------------------------------------------------------------

  @Test
  void headersAreSentOnlyFromTheConfiguredUsedShareOnButAlwaysOn429() {
    Tollgate t = engine(new FakeClock(NOW), "limits", "10/1m", "headers.after-used-share", "0.5");
    for (int i = 1; i <= 4; i++) {
      Verdict v = t.check(request);
      assertTrue(v.proceed());
      assertTrue(v.headers().isEmpty(), "call " + i + " used " + i + "/10: " + v.headers());
    }
    for (int i = 5; i <= 10; i++) {
      Verdict v = t.check(request);
      assertTrue(v.proceed());
      assertEquals("\"minute\";r=" + (10 - i) + ";t=30", header(v, "RateLimit"), "call " + i);
    }
    Verdict rejected = t.check(request);
    assertEquals("30", header(rejected, "Retry-After"));
    assertEquals("\"minute\";r=0;t=30", header(rejected, "RateLimit"));
  }

  @Test
  void headersOnA429EvenWhenTheShareIsOne() {
    Tollgate t = engine(new FakeClock(NOW), "limits", "2/1m", "headers.after-used-share", "1");
    assertTrue(t.check(request).headers().isEmpty());
    assertEquals(
        "\"minute\";r=0;t=30", header(t.check(request), "RateLimit"), "used 2/2 reaches share 1");
    assertEquals("\"minute\";r=0;t=30", header(t.check(request), "RateLimit"));
  }

  // ---- incompatible dialects -------------------------------------------------------------------

  @Test
  void ietfDraft6CannotBeCombinedWithIetfOrTruto() {
    ConfigException withIetf =
        assertThrows(
            ConfigException.class,
            () -> TollgateConfig.parse(Fixtures.props("headers.dialects", "ietf, ietf-draft-6")));
    assertEquals("headers.dialects", withIetf.key());
    assertTrue(
        withIetf
            .getMessage()
            .startsWith("headers.dialects: ietf-draft-6 cannot be combined with ietf"),
        withIetf.getMessage());
    ConfigException withTruto =
        assertThrows(
            ConfigException.class,
            () -> TollgateConfig.parse(Fixtures.props("headers.dialects", "truto,ietf-draft-6")));
    assertTrue(
        withTruto.getMessage().contains("cannot be combined with truto"), withTruto.getMessage());
    assertThrows(
        ConfigException.class,
        () -> TollgateConfig.builder().dialects(HeaderDialect.IETF_DRAFT_6, HeaderDialect.TRUTO));
    // compatible: draft 6 with the X- dialects
    TollgateConfig.parse(Fixtures.props("headers.dialects", "ietf-draft-6, teos, github"));
  }

  @Test
  void headerValuesNeverHoldControlCharacters() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "2/1m",
            "headers.dialects",
            "ietf, teos, github",
            "client.key",
            "header:X-Api-Key, ip");
    TestRequest evil = TestRequest.get("/x").header("X-Api-Key", "k\r\nSet-Cookie: a=b");
    for (int i = 0; i < 3; i++) {
      for (Header h : t.check(evil).headers()) {
        assertFalse(h.value().chars().anyMatch(c -> c < 0x20 || c == 0x7f), h.toString());
        assertFalse(h.value().contains("Set-Cookie"), h.toString());
      }
    }
  }

  // ---- boundaries (mutation testing) -----------------------------------------------------------

  @Test
  void anAdmittedRequestReportsTheLeastRemainingEvenIfAnotherLimitResetsLater() {
    Tollgate t =
        engine(new FakeClock(NOW), "limits", "10/1m, 100/1h", "headers.dialects", "ietf-draft-6");
    Verdict v = t.check(TestRequest.get("/x"));
    assertEquals(
        "10", header(v, "RateLimit-Limit"), "the minute (9 left), not the later hour (99 left)");
    assertEquals("9", header(v, "RateLimit-Remaining"));
  }

  @Test
  void aCompleteTieGoesToTheFirstLimit() {
    Tollgate t =
        engine(
            new FakeClock(NOW),
            "limits",
            "10/1m",
            "headers.dialects",
            "github",
            "rules.reports.path",
            "/reports",
            "rules.reports.limits",
            "10/1m");
    Verdict v = t.check(TestRequest.get("/reports"));
    assertEquals(
        "default", header(v, "X-RateLimit-Resource"), "equal remaining and reset: the first limit");
    for (int i = 0; i < 9; i++) {
      t.check(TestRequest.get("/reports"));
    }
    Verdict rejected = t.check(TestRequest.get("/reports"));
    assertEquals(429, rejected.status());
    assertEquals(
        "default",
        header(rejected, "X-RateLimit-Resource"),
        "both reject with the same Retry-After: the first");
  }

  @Test
  void headersAreSentFromExactlyTheUsedShare() {
    Tollgate t = engine(new FakeClock(NOW), "limits", "4/1m", "headers.after-used-share", "0.5");
    assertNull(header(t.check(TestRequest.get("/x")), "RateLimit"), "1 of 4 used");
    assertEquals(
        "\"minute\";r=2;t=30",
        header(t.check(TestRequest.get("/x")), "RateLimit"),
        "2 of 4: exactly half");
  }
}
