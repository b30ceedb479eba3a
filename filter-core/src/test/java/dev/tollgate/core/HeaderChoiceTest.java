package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which limit the one-limit header dialects show when a route has limits in several units, and the
 * numbers at the edge of the precomputed small-number strings. Through the engine, on a fake clock.
 */
class HeaderChoiceTest {

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T18:00:10Z"));
  private final TestRequest request = TestRequest.get("/search");

  private Verdict firstRequest(String limits) {
    Tollgate t = Fixtures.engine(clock, "limits", limits, "headers.dialects", "ietf-draft-6");
    Verdict v = t.check(request);
    assertTrue(v.proceed());
    return v;
  }

  @Test
  void aRequestLimitIsShownBeforeATimeBudgetWithFewerMillisecondsLeft() {
    Verdict v = firstRequest("50ms/1m time, 100/1m");
    assertEquals("100", header(v, "RateLimit-Limit"), "50 ms would read as 50 requests");
    assertEquals("99", header(v, "RateLimit-Remaining"));
  }

  @Test
  void aRouteWithOnlyTimeBudgetsShowsTheOneWithLeastLeft() {
    Verdict v = firstRequest("200ms/1h time, 50ms/1m time");
    assertEquals("50", header(v, "RateLimit-Limit"));
    assertEquals("50", header(v, "RateLimit-Remaining"));
    assertEquals("0", header(v, "RateLimit-Reset"), "nothing charged yet");
  }

  @Test
  void amongRequestLimitsOfAMixedRouteTheLeastRemainingIsShown() {
    Verdict v = firstRequest("5ms/1m time, 10/1m, 100/1h");
    assertEquals("10", header(v, "RateLimit-Limit"));
    assertEquals("9", header(v, "RateLimit-Remaining"));
    assertEquals("50", header(v, "RateLimit-Reset"), "the minute's, not the later hour's");
  }

  @Test
  void theFirstRequestLimitOfAMixedRouteStaysShownWhileItHasLeastLeft() {
    Verdict v = firstRequest("10/1m, 100/1h, 5ms/1m time");
    assertEquals("10", header(v, "RateLimit-Limit"));
    assertEquals("9", header(v, "RateLimit-Remaining"));
  }

  @Test
  void amongRequestLimitsOfAMixedRouteATieGoesToTheLaterReset() {
    for (String limits : new String[] {"5ms/1m time, 10/1h, 10/1m", "5ms/1m time, 10/1m, 10/1h"}) {
      Verdict v = firstRequest(limits);
      assertEquals("9", header(v, "RateLimit-Remaining"), limits);
      assertEquals("3590", header(v, "RateLimit-Reset"), limits);
    }
  }

  @Test
  void remainingQuotasAroundTheSmallNumbersAreWritten() {
    Tollgate t = Fixtures.engine(clock, "limits", "1025/1m", "headers.dialects", "ietf-draft-6");
    assertEquals("1024", header(t.check(request), "RateLimit-Remaining"));
    assertEquals("1023", header(t.check(request), "RateLimit-Remaining"));
    Tollgate big = Fixtures.engine(clock, "limits", "1024/1m", "headers.dialects", "ietf-draft-6");
    assertEquals("1023", header(big.check(request), "RateLimit-Remaining"));
    assertEquals("1024", header(big.check(request), "RateLimit-Limit"));
  }

  @Test
  void aFullTieGoesToTheFirstLimitWhetherOrNotTheRouteHasLimitsInOtherUnits() {
    for (String defaults : new String[] {"10/1m", "10/1m, 5ms/1m time"}) {
      Tollgate t =
          Fixtures.engine(
              clock,
              "limits",
              defaults,
              "headers.dialects",
              "github",
              "rules.search.path",
              "/search",
              "rules.search.limits",
              "10/1m");
      Verdict v = t.check(request);
      assertEquals("9", header(v, "X-RateLimit-Remaining"), defaults);
      assertEquals("default", header(v, "X-RateLimit-Resource"), defaults);
    }
  }

  @Test
  void aNumberOutsideTheSmallOnesIsWrittenInFull() {
    // A store behind the SPI may report any long, a negative one included.
    assertEquals("-1", HeaderWriter.number(-1));
    assertEquals("0", HeaderWriter.number(0));
    assertEquals("1023", HeaderWriter.number(1023));
    assertEquals("1024", HeaderWriter.number(1024));
    assertEquals("-9223372036854775808", HeaderWriter.number(Long.MIN_VALUE));
  }
}
