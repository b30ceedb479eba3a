package dev.tollgate.core;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Limit} counts. Requests are counted when admitted; every other unit is only known
 * once the response is complete, so such a limit admits a request while its client's budget is not
 * exhausted and is charged the real cost afterwards (which may overdraw it: the next requests then
 * wait until the budget has refilled).
 */
public enum QuotaUnit {

  /** One unit per request (times the rule's {@code cost}): {@code 100/1m}. */
  REQUESTS("requests", "requests"),

  /**
   * Milliseconds of wall time from admission until the response is complete (for async requests,
   * until the async context completes or the entity is written): {@code 30s/1m time}.
   */
  TIME("time", "server-time-ms"),

  /**
   * Milliseconds of CPU time of the thread that ran the request, from admission until it handed the
   * request back to the container (see the README for async requests); wall time where the JVM
   * cannot measure thread CPU time: {@code 10s/1m cpu}.
   */
  CPU("cpu", "cpu-time-ms"),

  /** Bytes of response body actually written: {@code 500MB/1h bytes}. */
  BYTES("bytes", "content-bytes");

  private final String configName;
  private final String ietfName;

  QuotaUnit(String configName, String ietfName) {
    this.configName = configName;
    this.ietfName = ietfName;
  }

  /** The word that names this unit in a limit expression. */
  public String configName() {
    return configName;
  }

  /**
   * The IETF {@code qu} value: {@code requests} and {@code content-bytes} are the registered ones;
   * the time units have no registered name, so they get a self-explaining one.
   */
  public String ietfName() {
    return ietfName;
  }

  /** True for units charged after the response rather than on admission. */
  public boolean chargedAfterResponse() {
    return this != REQUESTS;
  }

  /** The unit named {@code word} in a limit expression, or null. */
  static @Nullable QuotaUnit named(String word) {
    if (word == null) {
      return null;
    }
    String w = word.toLowerCase(Locale.ROOT);
    for (QuotaUnit u : values()) {
      if (u.configName.equals(w)) {
        return u;
      }
    }
    return null;
  }

  /**
   * Reads a quota as this unit writes it: a count for requests, a duration for time and CPU ({@code
   * 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; in milliseconds), a size for bytes ({@code 512B},
   * {@code 64KB}, {@code 500MB}, {@code 1GB}; powers of 1024).
   *
   * @throws IllegalArgumentException saying what was expected
   */
  long parseQuota(String text) {
    String t = text.trim();
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 13) {
      throw new IllegalArgumentException(
          "is not a valid limit: the quota '" + t + "' is not a number");
    }
    long n = Long.parseLong(t.substring(0, i));
    long factor = factor(t.substring(i).trim().toLowerCase(Locale.ROOT), t);
    if (n > Integer.MAX_VALUE / factor) {
      throw new IllegalArgumentException(
          "is not a valid limit: the quota "
              + t
              + " is too large (at most "
              + format(Integer.MAX_VALUE - Integer.MAX_VALUE % factor)
              + " per window)");
    }
    return n * factor;
  }

  /**
   * What one of a quota's {@code suffix} (lower case) is in this unit: requests, milliseconds or
   * bytes.
   *
   * @param quota the whole quota, for the message
   * @throws IllegalArgumentException if this unit has no such suffix
   */
  private long factor(String suffix, String quota) {
    switch (this) {
      case REQUESTS:
        if (!suffix.isEmpty()) {
          throw new IllegalArgumentException(
              "is not a valid limit: a quota of '"
                  + quota
                  + "' needs a unit after the window:"
                  + " time or cpu for a duration (30s/1m time), bytes for a size (500MB/1h bytes)");
        }
        return 1;
      case TIME:
      case CPU:
        return durationFactor(suffix, quota);
      default:
        return sizeFactor(suffix, quota);
    }
  }

  private long durationFactor(String suffix, String quota) {
    long factor =
        suffix.equals("ms")
            ? 1
            : suffix.equals("s")
                ? 1_000
                : suffix.equals("m") ? 60_000 : suffix.equals("h") ? 3_600_000 : 0;
    if (factor == 0) {
      throw new IllegalArgumentException(
          "is not a valid limit: a "
              + configName
              + " quota is a duration with a unit"
              + " ms, s, m or h (e.g. 30s/1m "
              + configName
              + "), not '"
              + quota
              + "'");
    }
    return factor;
  }

  private static long sizeFactor(String suffix, String quota) {
    long factor =
        suffix.equals("b")
            ? 1
            : suffix.equals("kb") || suffix.equals("kib")
                ? 1L << 10
                : suffix.equals("mb") || suffix.equals("mib")
                    ? 1L << 20
                    : suffix.equals("gb") || suffix.equals("gib") ? 1L << 30 : 0;
    if (factor == 0) {
      throw new IllegalArgumentException(
          "is not a valid limit: a bytes quota is a size with a unit B, KB, MB or GB"
              + " (powers of 1024, e.g. 500MB/1h bytes), not '"
              + quota
              + "'");
    }
    return factor;
  }

  /** A quota in this unit as {@link #parseQuota} reads it, in the largest exact unit. */
  String format(long quota) {
    switch (this) {
      case REQUESTS:
        return Long.toString(quota);
      case TIME:
      case CPU:
        return quota % 3_600_000 == 0
            ? quota / 3_600_000 + "h"
            : quota % 60_000 == 0
                ? quota / 60_000 + "m"
                : quota % 1_000 == 0 ? quota / 1_000 + "s" : quota + "ms";
      default:
        return quota % (1L << 30) == 0
            ? (quota >> 30) + "GB"
            : quota % (1L << 20) == 0
                ? (quota >> 20) + "MB"
                : quota % (1L << 10) == 0 ? (quota >> 10) + "KB" : quota + "B";
    }
  }

  /** The unit a quota's suffix implies without a unit word: bytes for a size, else null. */
  static @Nullable QuotaUnit impliedBy(String quota) {
    String s = quota.replaceAll("[0-9\\s]", "").toLowerCase(Locale.ROOT);
    return s.matches("b|kb|mb|gb|kib|mib|gib") ? BYTES : null;
  }
}
