package dev.tollgate.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A quota of requests per window, counted with an {@link Algorithm}: "100 per minute" or "10,000
 * per rolling 24 hours". Immutable.
 *
 * <p>Written in configuration as {@code <count>/<duration> [algorithm] [as <name>]}, for example
 * {@code 100/1m}, {@code 10000/24h rolling}, {@code 10000/24h rolling(15m) as daily} or {@code
 * 20/1s token-bucket}. Durations are whole seconds written with a unit: {@code s}, {@code m},
 * {@code h} or {@code d} ({@code 90s}, {@code 1m}, {@code 24h}, {@code 1d}). The algorithm defaults
 * to {@link Algorithm#FIXED_WINDOW}; a rolling window's precision defaults to 1/24 of the window.
 *
 * <p>The name is the policy name the IETF headers and problem bodies show (e.g. {@code "minute"}).
 * Unless given, it is derived from the window: {@code second}, {@code minute}, {@code hour}, {@code
 * day}, or the duration as written ({@code 90s}).
 */
public final class Limit {

  /** Rolling windows default to this many buckets per window. */
  public static final int DEFAULT_ROLLING_BUCKETS = 24;

  private static final Duration MAX_WINDOW = Duration.ofDays(366);

  private static final Pattern EXPRESSION =
      Pattern.compile(
          "\\s*(\\d{1,13}\\s*[A-Za-z]{0,3})\\s*/\\s*(\\d{1,9}[smhd])"
              + "(?:\\s+(requests|time|cpu|bytes))?"
              + "(?:\\s+(fixed|rolling|token-bucket)(?:\\((\\d{1,9}[smhd])\\))?)?"
              + "(?:\\s+(requests|time|cpu|bytes))?"
              + "(?:\\s+as\\s+([A-Za-z0-9_.-]{1,64}))?\\s*");

  private final long quota;
  private final Duration window;

  /** {@link #window} in milliseconds, which the store reads several times per request. */
  private final long windowMillis;

  private final Algorithm algorithm;
  private final Duration precision;

  /** {@link #precision} in milliseconds: a rolling window divides by it on every request. */
  private final long precisionMillis;

  private final String name;
  private final QuotaUnit unit;

  private Limit(long quota, Duration window, Algorithm algorithm, Duration precision, String name) {
    this(quota, window, algorithm, precision, name, QuotaUnit.REQUESTS);
  }

  private Limit(
      long quota,
      Duration window,
      Algorithm algorithm,
      Duration precision,
      String name,
      QuotaUnit unit) {
    this.unit = unit;
    this.quota = quota;
    this.window = window;
    this.windowMillis = window.toMillis();
    this.algorithm = algorithm;
    this.precision = precision;
    this.precisionMillis = precision.toMillis();
    this.name = name;
  }

  /** A fixed-window limit of {@code quota} requests per {@code window}. */
  public static Limit of(long quota, Duration window) {
    return of(quota, window, Algorithm.FIXED_WINDOW);
  }

  /** A limit of {@code quota} requests per {@code window} counted with {@code algorithm}. */
  public static Limit of(long quota, Duration window, Algorithm algorithm) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(algorithm, "algorithm");
    if (quota < 1) {
      throw new IllegalArgumentException("quota must be at least 1 but was " + quota);
    }
    if (quota > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "quota must be at most " + Integer.MAX_VALUE + " but was " + quota);
    }
    if (window.isNegative()
        || window.getSeconds() < 1
        || window.getNano() != 0
        || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be a whole number of seconds from 1s to 366d, but was "
              + (window.getNano() == 0 && !window.isNegative()
                  ? formatDuration(window)
                  : window.toString()));
    }
    Duration precision = algorithm == Algorithm.ROLLING_WINDOW ? defaultPrecision(window) : window;
    return new Limit(quota, window, algorithm, precision, defaultName(window));
  }

  /** The unit an expression names, or its quota implies ({@code 64KB}); else requests. */
  private static QuotaUnit unit(Matcher m) {
    QuotaUnit unit = QuotaUnit.named(m.group(3) != null ? m.group(3) : m.group(6));
    if (unit == null) {
      unit = QuotaUnit.impliedBy(m.group(1));
    }
    return unit == null ? QuotaUnit.REQUESTS : unit;
  }

  /**
   * Parses a limit expression such as {@code 10000/24h rolling}.
   *
   * @throws IllegalArgumentException with a message that says what was expected
   */
  public static Limit parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    Matcher m = EXPRESSION.matcher(expression);
    if (!m.matches() || !m.group(1).matches("\\d+\\s*(?i:ms|s|m|h|b|kb|mb|gb|kib|mib|gib)?")) {
      throw new IllegalArgumentException(
          "is not a valid limit (expected <count>/<duration> [time|cpu|bytes] [fixed|rolling|token-bucket] [as <name>],"
              + " e.g. 100/1m, 10000/24h rolling, 30s/1m time or 500MB/1h bytes; a duration is a whole number and a unit:"
              + " s (seconds), m (minutes), h (hours) or d (days), from 1s to 366d)");
    }
    if (m.group(3) != null && m.group(6) != null) {
      throw new IllegalArgumentException("is not a valid limit: it names two units");
    }
    QuotaUnit unit = unit(m);
    long quota = unit.parseQuota(m.group(1));
    Duration window = parseDuration(m.group(2));
    Algorithm algorithm =
        m.group(4) == null ? Algorithm.FIXED_WINDOW : Algorithm.fromConfig(m.group(4));
    Limit limit;
    try {
      limit = of(quota, window, algorithm);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not a valid limit: " + e.getMessage());
    }
    if (unit != QuotaUnit.REQUESTS) {
      limit = limit.in(unit);
    }
    if (m.group(5) != null) {
      limit = precise(limit, m.group(5));
    }
    if (m.group(7) != null) {
      limit = limit.named(m.group(7));
    }
    return limit;
  }

  /** {@code limit} counted in steps of {@code precision}, as a limit expression writes it. */
  private static Limit precise(Limit limit, String precision) {
    if (limit.algorithm() != Algorithm.ROLLING_WINDOW) {
      throw new IllegalArgumentException(
          "is not a valid limit: only a rolling window takes a precision");
    }
    try {
      return limit.withPrecision(parseDuration(precision));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not a valid limit: " + e.getMessage());
    }
  }

  /**
   * Parses a duration written as a whole number with a unit {@code s}, {@code m}, {@code h} or
   * {@code d}.
   *
   * @throws IllegalArgumentException if it is not of that form
   */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (!t.matches("\\d{1,9}[smhd]")) {
      throw new IllegalArgumentException(
          "is not a valid duration (expected a whole number and s, m, h or d, e.g. 1m)");
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    switch (t.charAt(t.length() - 1)) {
      case 's':
        return Duration.ofSeconds(n);
      case 'm':
        return Duration.ofMinutes(n);
      case 'h':
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  /** Writes a duration the way {@link #parseDuration} reads it, in the largest exact unit. */
  public static String formatDuration(Duration duration) {
    long s = duration.getSeconds();
    if (s == 0) {
      return "0s";
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /** This limit under another policy name (letters, digits, {@code _ . -}; at most 64). */
  public Limit named(String newName) {
    Objects.requireNonNull(newName, "name");
    if (!newName.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '_', '.' or '-' but was '" + newName + "'");
    }
    return new Limit(quota, window, algorithm, precision, newName, unit);
  }

  /**
   * This rolling-window limit with another bucket size. The window must be a whole multiple of the
   * precision, and hold at most 1,440 of them.
   */
  public Limit withPrecision(Duration newPrecision) {
    if (algorithm != Algorithm.ROLLING_WINDOW) {
      throw new IllegalArgumentException("only a rolling window takes a precision");
    }
    long p = newPrecision.toMillis();
    long w = window.toMillis();
    if (p < 1000 || w % p != 0 || w / p > 1440) {
      throw new IllegalArgumentException(
          "precision must be at least 1s and divide the window "
              + formatDuration(window)
              + " into at most 1440 steps, but was "
              + formatDuration(newPrecision));
    }
    return new Limit(quota, window, algorithm, newPrecision, name, unit);
  }

  /** This limit with another quota: same window, algorithm and name. */
  public Limit withQuota(long newQuota) {
    Limit checked = of(newQuota, window, algorithm);
    return new Limit(checked.quota, window, algorithm, precision, name, unit);
  }

  /**
   * This limit counting {@code newUnit} instead of requests, its quota in that unit's base
   * (milliseconds for time and CPU, bytes for bytes). Unless it was named, its name becomes {@code
   * <unit>-<window name>} ({@code time-minute}), so that it never clashes with a request limit of
   * the same window.
   */
  public Limit in(QuotaUnit newUnit) {
    Objects.requireNonNull(newUnit, "unit");
    String newName =
        name.equals(defaultName(window))
                || name.equals(unit.configName() + "-" + defaultName(window))
            ? (newUnit == QuotaUnit.REQUESTS
                ? defaultName(window)
                : newUnit.configName() + "-" + defaultName(window))
            : name;
    return new Limit(quota, window, algorithm, precision, newName, newUnit);
  }

  /** What this limit counts; {@link QuotaUnit#REQUESTS} unless written with a unit. */
  public QuotaUnit unit() {
    return unit;
  }

  /** The quota units allowed per window: requests, milliseconds or bytes (see {@link #unit()}). */
  public long quota() {
    return quota;
  }

  /** The window, a whole number of seconds. */
  public Duration window() {
    return window;
  }

  /** The window in milliseconds. */
  public long windowMillis() {
    return windowMillis;
  }

  /** The counting algorithm. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * For a rolling window, the size of one counting bucket: the limit never admits more than its
   * quota in any window-long span, and may make a client wait up to this much longer than an exact
   * log would. For the other algorithms, the window itself.
   */
  public Duration precision() {
    return precision;
  }

  /** {@link #precision()} in milliseconds. */
  public long precisionMillis() {
    return precisionMillis;
  }

  /** The policy name shown in headers and problem bodies. */
  public String name() {
    return name;
  }

  /**
   * Identifies the counting state this limit needs: two limits with the same state id can share
   * their counts, e.g. when a reload changes only the quota (the client keeps what it has used).
   */
  public String stateId() {
    return algorithm.configName()
        + ':'
        + window.getSeconds()
        + (algorithm == Algorithm.ROLLING_WINDOW ? ":" + precision.getSeconds() : "")
        + (unit == QuotaUnit.REQUESTS ? "" : ":" + unit.configName());
  }

  /** The limit as {@link #parse} reads it, e.g. {@code 10000/24h rolling(1h) as day}. */
  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder().append(unit.format(quota)).append('/').append(formatDuration(window));
    if (unit != QuotaUnit.REQUESTS) {
      s.append(' ').append(unit.configName());
    }
    if (algorithm != Algorithm.FIXED_WINDOW) {
      s.append(' ').append(algorithm.configName());
      if (algorithm == Algorithm.ROLLING_WINDOW) {
        s.append('(').append(formatDuration(precision)).append(')');
      }
    }
    return s.append(" as ").append(name).toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Limit)) {
      return false;
    }
    Limit other = (Limit) o;
    return quota == other.quota
        && window.equals(other.window)
        && algorithm == other.algorithm
        && precision.equals(other.precision)
        && name.equals(other.name)
        && unit == other.unit;
  }

  @Override
  public int hashCode() {
    return Objects.hash(quota, window, algorithm, precision, name, unit);
  }

  private static Duration defaultPrecision(Duration window) {
    long w = window.toMillis();
    // The largest whole-second divisor of the window that gives at least DEFAULT_ROLLING_BUCKETS
    // steps.
    long seconds = Math.max(1, w / 1000 / DEFAULT_ROLLING_BUCKETS);
    while (seconds > 1 && (w / 1000) % seconds != 0) {
      seconds--;
    }
    return Duration.ofSeconds(seconds);
  }

  private static String defaultName(Duration window) {
    switch ((int) Math.min(window.getSeconds(), Integer.MAX_VALUE)) {
      case 1:
        return "second";
      case 60:
        return "minute";
      case 3_600:
        return "hour";
      case 86_400:
        return "day";
      default:
        return formatDuration(window);
    }
  }

  /**
   * {@code limits} itself, if no two of its limits share a name (a name identifies a limit's
   * counter and its header policy).
   *
   * @throws IllegalArgumentException naming the shared name
   */
  static List<Limit> requireDistinctNames(List<Limit> limits) {
    Set<String> names = new HashSet<>();
    for (Limit l : limits) {
      if (!names.add(l.name())) {
        throw new IllegalArgumentException(
            "two limits are named '"
                + l.name()
                + "'; name one with 'as <name>', e.g. 1000/1m as burst");
      }
    }
    return limits;
  }
}
