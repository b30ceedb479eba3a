package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.engine;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The IETF fields as draft-11 reads them ({@code ietf}) and as draft-10 did ({@code
 * ietf-draft-10}), and units.
 */
class IetfDraft11Test {

  /** 18:00:30 UTC: 30 s to the next minute. */
  private static final Instant NOW = Instant.parse("2026-11-22T18:00:30Z");

  private final TestRequest request = TestRequest.get("/api/things");

  @Test
  void onA429NoEffectiveWindowEndsAfterRetryAfterButDraft10KeepsTheResets() {
    Tollgate eleven =
        engine(new FakeClock(NOW), "limits", "3/1m, 100/1h", "headers.dialects", "ietf");
    Tollgate ten =
        engine(new FakeClock(NOW), "limits", "3/1m, 100/1h", "headers.dialects", "ietf-draft-10");
    admitted(eleven, request, 3);
    admitted(ten, request, 3);
    Verdict v11 = eleven.check(request);
    Verdict v10 = ten.check(request);
    assertEquals("30", header(v11, "Retry-After"));
    assertEquals("\"minute\";r=0;t=30, \"hour\";r=97;t=30", header(v11, "RateLimit"));
    assertEquals("\"minute\";r=0;t=30, \"hour\";r=97;t=3570", header(v10, "RateLimit"));
    assertEquals(header(v10, "RateLimit-Policy"), header(v11, "RateLimit-Policy"));
  }

  @Test
  void repeated429sShowTheNumbersOfTheirOwnMoment() {
    FakeClock clock = new FakeClock(NOW);
    Tollgate eleven = engine(clock, "limits", "3/1m, 100/1h", "headers.dialects", "ietf");
    admitted(eleven, request, 3);
    assertEquals(
        "\"minute\";r=0;t=30, \"hour\";r=97;t=30", header(eleven.check(request), "RateLimit"));
    assertEquals(
        "\"minute\";r=0;t=30, \"hour\";r=97;t=30",
        header(eleven.check(request), "RateLimit"),
        "the same moment, the same value");
    clock.advance(Duration.ofSeconds(10));
    assertEquals(
        "\"minute\";r=0;t=20, \"hour\";r=97;t=20",
        header(eleven.check(request), "RateLimit"),
        "ten seconds on, the effective windows are ten seconds shorter");
    TestRequest other = TestRequest.get("/api/things").from("198.51.100.2");
    admitted(eleven, other, 2);
    assertEquals(
        "\"minute\";r=0;t=20, \"hour\";r=97;t=3560",
        header(eleven.check(other), "RateLimit"),
        "an admitted request in between");
    assertEquals(
        "\"minute\";r=0;t=20, \"hour\";r=97;t=20", header(eleven.check(request), "RateLimit"));
    assertEquals(
        "\"minute\";r=0;t=20, \"hour\";r=97;t=20",
        header(eleven.check(other), "RateLimit"),
        "another client at the same numbers");
  }

  @Test
  void anUnusedLimitHasAnEffectiveWindowNotZero() {
    // A time budget is untouched on admission; a dry-run status request would be too.
    Tollgate eleven =
        engine(
            new FakeClock(NOW),
            "limits",
            "100/1m, 30s/1m time, 10s/1h cpu rolling(10m), 60KB/1m bytes token-bucket",
            "headers.dialects",
            "ietf");
    Verdict v = eleven.check(request);
    // fixed: to the end of the minute; rolling: until the current 10-minute bucket (18:00-18:10)
    // leaves the hour, at 19:10; token bucket: one token (1024 bytes) per 60/61440 s.
    assertEquals(
        "\"minute\";r=99;t=30, \"time-minute\";r=30000;t=30, \"cpu-hour\";r=10000;t=4170,"
            + " \"bytes-minute\";r=61440;t=1",
        header(v, "RateLimit"));
    Tollgate ten =
        engine(
            new FakeClock(NOW),
            "limits",
            "100/1m, 30s/1m time",
            "headers.dialects",
            "ietf-draft-10");
    assertEquals(
        "\"minute\";r=99;t=30, \"time-minute\";r=30000;t=0",
        header(ten.check(request), "RateLimit"));
  }

  @Test
  void policiesInOtherUnitsCarryQu() {
    Verdict v =
        engine(new FakeClock(NOW), "limits", "100/1m, 30s/1m time, 10s/1m cpu, 500MB/1h bytes")
            .check(request);
    assertEquals(
        "\"minute\";q=100;w=60, \"time-minute\";q=30000;qu=\"server-time-ms\";w=60,"
            + " \"cpu-minute\";q=10000;qu=\"cpu-time-ms\";w=60, \"bytes-hour\";q=524288000;qu=\"content-bytes\";w=3600",
        header(v, "RateLimit-Policy"));
  }

  @Test
  void singleLimitDialectsShowRequestLimitsUnlessAnotherUnitRejects() {
    FakeClock clock = new FakeClock(NOW);
    FakeCostClock cost = FakeCostClock.withCpu();
    Tollgate t =
        Tollgate.builder(
                TollgateConfig.parse(
                    Fixtures.props(
                        "limits", "100/1h, 10s/1m time", "headers.dialects", "teos, github")))
            .clock(clock)
            .costClock(cost)
            .build();
    Verdict first = t.check(request);
    assertEquals(
        "1h",
        header(first, "X-Rate-Limit-Limit"),
        "the request limit, though the time budget has a smaller number left");
    assertEquals("100", header(first, "X-RateLimit-Limit"));
    cost.compute(Duration.ofSeconds(11));
    first.complete(200, 0);
    Verdict rejected = t.check(request);
    assertEquals(429, rejected.status());
    assertEquals(
        "1m",
        header(rejected, "X-Rate-Limit-Limit"),
        "the time budget rejected: its window and reset");
    assertEquals("0", header(rejected, "X-Rate-Limit-Remaining"));
    assertEquals("2026-11-22T18:01:00.0000000Z", header(rejected, "X-Rate-Limit-Reset"));
  }

  @Test
  void ietfDraft10CannotBeCombinedWithIetfOrIetfDraft6() {
    ConfigException both =
        assertThrows(
            ConfigException.class,
            () -> TollgateConfig.parse(Fixtures.props("headers.dialects", "ietf, ietf-draft-10")));
    assertTrue(
        both.getMessage()
            .startsWith("headers.dialects: ietf-draft-10 cannot be combined with ietf"),
        both.getMessage());
    assertThrows(
        ConfigException.class,
        () ->
            TollgateConfig.parse(
                Fixtures.props("headers.dialects", "ietf-draft-10, ietf-draft-6")));
    TollgateConfig.parse(Fixtures.props("headers.dialects", "ietf-draft-10, teos, github"));
  }
}
