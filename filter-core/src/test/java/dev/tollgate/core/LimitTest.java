package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.core.store.LimitUsage;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Limits at the edges of what they accept, written back as configuration reads them, with their
 * derived names, rolling precisions and counting-state identities.
 */
class LimitTest {

  private static String refusal(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void aQuotaIsFromOneToIntegerMax() {
    assertEquals(Integer.MAX_VALUE, Limit.of(Integer.MAX_VALUE, Duration.ofMinutes(1)).quota());
    assertEquals(
        "quota must be at most 2147483647 but was 2147483648",
        refusal(() -> Limit.of(Integer.MAX_VALUE + 1L, Duration.ofMinutes(1))));
    assertEquals(
        "quota must be at least 1 but was 0", refusal(() -> Limit.of(0, Duration.ofMinutes(1))));
  }

  @Test
  void aWindowIsFromOneSecondTo366Days() {
    assertEquals(Duration.ofSeconds(1), Limit.of(1, Duration.ofSeconds(1)).window());
    assertEquals(Duration.ofDays(366), Limit.of(1, Duration.ofDays(366)).window());
    String expected = "window must be a whole number of seconds from 1s to 366d, but was ";
    assertEquals(expected + "0s", refusal(() -> Limit.of(1, Duration.ZERO)));
    assertEquals(expected + "367d", refusal(() -> Limit.of(1, Duration.ofDays(367))));
    assertEquals(
        expected + "31622401s", refusal(() -> Limit.of(1, Duration.ofDays(366).plusSeconds(1))));
    assertEquals(expected + "PT1.5S", refusal(() -> Limit.of(1, Duration.ofMillis(1500))));
    assertEquals(expected + "PT-1S", refusal(() -> Limit.of(1, Duration.ofSeconds(-1))));
  }

  @ParameterizedTest
  @CsvSource({
    "1, 1s",
    "59, 59s",
    "60, 1m",
    "90, 90s",
    "3600, 1h",
    "5400, 90m",
    "86400, 1d",
    "90000, 25h",
    "172800, 2d",
  })
  void aDurationIsWrittenInItsLargestExactUnit(long seconds, String written) {
    assertEquals(written, Limit.formatDuration(Duration.ofSeconds(seconds)));
    assertEquals(Duration.ofSeconds(seconds), Limit.parseDuration(written));
  }

  @ParameterizedTest
  @CsvSource({
    "1/1s, second",
    "1/1m, minute",
    "1/60s, minute",
    "1/1h, hour",
    "1/1d, day",
    "1/24h, day",
    "1/90s, 90s",
    "1/2m, 2m",
    "1/7d, 7d",
  })
  void anUnnamedLimitIsNamedAfterItsWindow(String expression, String name) {
    assertEquals(name, Limit.parse(expression).name());
  }

  @ParameterizedTest
  @CsvSource({
    "100/1m rolling, 2s",
    "100/24h rolling, 1h",
    "100/90s rolling, 3s",
    "100/7m rolling, 15s",
    "100/23s rolling, 1s",
    "100/1d rolling(1m), 1m",
    "100/1m rolling(1s), 1s",
    "100/1m fixed, 1m",
    "100/1m token-bucket, 1m",
  })
  void aRollingWindowCountsInTheLargestWholeSecondStepGivingAtLeast24(
      String expression, String precision) {
    assertEquals(Limit.parseDuration(precision), Limit.parse(expression).precision());
  }

  @Test
  void aPrecisionBelowOneSecondOrNotDividingTheWindowIsRefused() {
    Limit rolling = Limit.parse("100/1m rolling");
    assertEquals(Duration.ofSeconds(1), rolling.withPrecision(Duration.ofSeconds(1)).precision());
    assertEquals(
        "precision must be at least 1s and divide the window 1m into at most 1440 steps,"
            + " but was 0s",
        refusal(() -> rolling.withPrecision(Duration.ofMillis(999))));
    assertEquals(
        "precision must be at least 1s and divide the window 1m into at most 1440 steps,"
            + " but was 7s",
        refusal(() -> rolling.withPrecision(Duration.ofSeconds(7))));
    assertEquals(
        Duration.ofMinutes(1),
        Limit.parse("1/1d rolling").withPrecision(Duration.ofMinutes(1)).precision(),
        "1440 steps");
    assertEquals(
        "precision must be at least 1s and divide the window 2d into at most 1440 steps,"
            + " but was 1m",
        refusal(() -> Limit.parse("1/2d rolling").withPrecision(Duration.ofMinutes(1))));
  }

  @ParameterizedTest
  @CsvSource({
    "100/1m, 100/1m as minute",
    "10000/24h rolling(1h) as daily, 10000/1d rolling(1h) as daily",
    "10000/24h rolling, 10000/1d rolling(1h) as day",
    "20/1s token-bucket, 20/1s token-bucket as second",
    "20/1s fixed, 20/1s as second",
    "2h/1d time, 2h/1d time as time-day",
    "90m/1d time, 90m/1d time as time-day",
    "120000ms/1d cpu, 2m/1d cpu as cpu-day",
    "90s/1h cpu, 90s/1h cpu as cpu-hour",
    "1500ms/1m time, 1500ms/1m time as time-minute",
    "1GB/1h, 1GB/1h bytes as bytes-hour",
    "1GiB/1h bytes, 1GB/1h bytes as bytes-hour",
    "1gb/1h bytes, 1GB/1h bytes as bytes-hour",
    "1536MB/1h, 1536MB/1h bytes as bytes-hour",
    "2048KB/1h, 2MB/1h bytes as bytes-hour",
    "3mib/1h bytes, 3MB/1h bytes as bytes-hour",
    "1536KB/1h, 1536KB/1h bytes as bytes-hour",
    "2kib/1h bytes, 2KB/1h bytes as bytes-hour",
    "1500B/1h, 1500B/1h bytes as bytes-hour",
  })
  void aLimitIsWrittenAsConfigurationReadsIt(String expression, String written) {
    Limit limit = Limit.parse(expression);
    assertEquals(written, limit.toString());
    assertEquals(limit, Limit.parse(written));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2147483647/1m | ",
        "1000000000000/1m | is not a valid limit: the quota 1000000000000 is too large"
            + " (at most 2147483647 per window)",
        "1GB/1h bytes | ",
        "2GB/1h bytes | is not a valid limit: the quota 2GB is too large (at most 1GB per window)",
        "596h/1d time | ",
        "597h/1d time | is not a valid limit: the quota 597h is too large (at most 596h per window)",
        "35791m/1d cpu | ",
        "35792m/1d cpu | is not a valid limit: the quota 35792m is too large (at most 35791m per"
            + " window)",
      })
  void aQuotaIsAtMostIntegerMaxInItsUnitsBase(String expression, String refusal) {
    if (refusal == null) {
      assertEquals(expression.substring(0, expression.indexOf('/')), quotaAsWritten(expression));
    } else {
      assertEquals(refusal, refusal(() -> Limit.parse(expression)));
    }
  }

  private static String quotaAsWritten(String expression) {
    String written = Limit.parse(expression).toString();
    return written.substring(0, written.indexOf('/'));
  }

  @Test
  void aLimitChangingUnitKeepsAGivenNameAndRenamesADerivedOne() {
    Limit time = Limit.parse("30s/1m time");
    assertEquals("cpu-minute", time.in(QuotaUnit.CPU).name());
    assertEquals("minute", time.in(QuotaUnit.REQUESTS).name());
    assertEquals("time-minute", Limit.parse("30/1m").in(QuotaUnit.TIME).name());
    assertEquals("busy", Limit.parse("30s/1m time as busy").in(QuotaUnit.CPU).name());
    assertEquals("busy", Limit.parse("30/1m as busy").in(QuotaUnit.TIME).name());
  }

  @Test
  void limitsShareCountingStateOnlyWithTheSameAlgorithmWindowPrecisionAndUnit() {
    assertEquals(Limit.parse("10/1m").stateId(), Limit.parse("20/1m as other").stateId());
    assertNotEquals(Limit.parse("10/1m").stateId(), Limit.parse("10/2m").stateId());
    assertNotEquals(Limit.parse("10/1m").stateId(), Limit.parse("10/1m token-bucket").stateId());
    assertNotEquals(
        Limit.parse("10/1h rolling(1m)").stateId(), Limit.parse("10/1h rolling(15m)").stateId());
    assertEquals(
        Limit.parse("10/1h rolling(15m)").stateId(), Limit.parse("99/1h rolling(15m)").stateId());
    assertNotEquals(Limit.parse("30s/1m time").stateId(), Limit.parse("30s/1m cpu").stateId());
    assertNotEquals(Limit.parse("60/1m").stateId(), Limit.parse("60s/1m time").stateId());
  }

  @Test
  void aLimitEqualsOnlyALimitWithTheSameSettings() {
    Limit limit = Limit.parse("10/1m");
    assertEquals(limit, Limit.of(10, Duration.ofMinutes(1)));
    assertEquals(limit.hashCode(), Limit.of(10, Duration.ofMinutes(1)).hashCode());
    assertNotEquals(limit, limit.named("other"));
    assertNotEquals(limit, limit.withQuota(11));
    assertNotEquals(limit, limit.in(QuotaUnit.TIME).named("minute"));
    assertNotEquals(limit, Limit.parse("10/1m token-bucket"));
    assertNotEquals(limit, Limit.parse("10/2m as minute"));
    assertNotEquals(Limit.parse("10/1h rolling(1m)"), Limit.parse("10/1h rolling(2m)"));
    assertNotEquals((Object) limit, "10/1m as minute");
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "-5, 0", "1, 1", "999, 1", "1000, 1", "1001, 2", "59999, 60"})
  void theResetIsInWholeSecondsRoundedUp(long resetMillis, long seconds) {
    LimitStatus status =
        new LimitStatus(
            "default", "minute", new LimitUsage(Limit.parse("1/1m"), 0, resetMillis, 0));
    assertEquals(seconds, status.resetSeconds());
  }

  @Test
  void aPolicyIsNamedAfterItsLimitUnderTheDefaultRuleAndPrefixedUnderAnyOther() {
    Limit minute = Limit.parse("10/1m");
    assertEquals("minute", LimitStatus.policyName(Rule.DEFAULT, minute));
    assertEquals("reports.minute", LimitStatus.policyName("reports", minute));
    assertEquals("reports.minute", LimitStatus.policyName("reports", minute), "cached");
    assertEquals("reports.burst", LimitStatus.policyName("reports", minute.named("burst")));
    assertEquals("exports.minute", LimitStatus.policyName("exports", minute));
  }
}
