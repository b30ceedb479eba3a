package dev.tollgate.core.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formats instants without {@code DateTimeFormatter}'s per-call objects. Internal. */
public final class Instants {

  private Instants() {}

  /**
   * .NET's round-trip format in UTC, as TEOS sends it: {@code 2026-11-22T18:01:00.0000000Z} (seven
   * fraction digits, of which the last four are always zero at millisecond precision).
   */
  public static String dotNetRoundTrip(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000);
    int millis = Math.floorMod(epochMillis, 1000);
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
    int secondOfDay = Math.floorMod(seconds, 86_400);
    char[] out = new char[28];
    int year = date.getYear();
    if (year < 0 || year > 9999) {
      return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSS'Z'")
          .withZone(ZoneOffset.UTC)
          .format(Instant.ofEpochMilli(epochMillis));
    }
    digits(out, 0, year, 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    out[19] = '.';
    digits(out, 20, millis, 3);
    out[23] = '0';
    out[24] = '0';
    out[25] = '0';
    out[26] = '0';
    out[27] = 'Z';
    return new String(out);
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
