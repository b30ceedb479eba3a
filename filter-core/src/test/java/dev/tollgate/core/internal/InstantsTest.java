package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TEOS reset instants in .NET's round-trip format, including the years that four digits cannot hold
 * (the formatter writes them as {@code java.time} does).
 */
class InstantsTest {

  @ParameterizedTest
  @CsvSource({
    "2026-11-22T18:01:00Z, 2026-11-22T18:01:00.0000000Z",
    "2027-01-15T23:59:59.007Z, 2027-01-15T23:59:59.0070000Z",
    "1969-12-31T23:59:59.999Z, 1969-12-31T23:59:59.9990000Z",
    "0000-01-01T00:00:00Z, 0000-01-01T00:00:00.0000000Z",
    "9999-12-31T23:59:59.999Z, 9999-12-31T23:59:59.9990000Z",
    "-0001-12-31T23:59:59.999Z, -0001-12-31T23:59:59.9990000Z",
    "+10000-01-01T00:00:00.001Z, +10000-01-01T00:00:00.0010000Z",
  })
  void anInstantIsWrittenWithSevenFractionDigitsInUtc(String instant, String expected) {
    assertEquals(expected, Instants.dotNetRoundTrip(Instant.parse(instant).toEpochMilli()));
  }
}
