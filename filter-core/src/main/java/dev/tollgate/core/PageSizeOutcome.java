package dev.tollgate.core;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the page-size rule made of a request: the value the application must see for each page-size
 * parameter, or why the request is rejected. Adapters apply it with {@link #values()} (servlet
 * parameters) and {@link #rewriteQuery(String)} (the raw query string, for frameworks that parse it
 * themselves).
 */
public final class PageSizeOutcome {

  /** What happened to the page size. */
  public enum Status {
    /** No page-size rule applies. */
    DISABLED,
    /** The client's value was within bounds and stays. */
    KEPT,
    /** The parameter was missing; the default was applied. */
    DEFAULTED,
    /** The value was above the maximum; the maximum was applied. */
    CLAMPED,
    /** The value was not a positive whole number; the default was applied. */
    INVALID_DEFAULTED,
    /** The value was not a positive whole number; the request is answered 400. */
    REJECTED
  }

  private static final PageSizeOutcome DISABLED =
      new PageSizeOutcome(Status.DISABLED, Map.of(), null, null, 0, false);

  private final Status status;
  private final Map<String, Integer> values;
  private final @Nullable String invalidParameter;
  private final @Nullable String invalidValue;
  private final int maxSize;
  private final boolean changesRequest;

  private PageSizeOutcome(
      Status status,
      Map<String, Integer> values,
      @Nullable String invalidParameter,
      @Nullable String invalidValue,
      int maxSize) {
    this(status, values, invalidParameter, invalidValue, maxSize, !values.isEmpty());
  }

  private PageSizeOutcome(
      Status status,
      Map<String, Integer> values,
      @Nullable String invalidParameter,
      @Nullable String invalidValue,
      int maxSize,
      boolean changesRequest) {
    this.status = status;
    this.values = values;
    this.invalidParameter = invalidParameter;
    this.invalidValue = invalidValue;
    this.maxSize = maxSize;
    this.changesRequest = changesRequest;
  }

  /** The outcome when no page-size rule applies. */
  public static PageSizeOutcome disabled() {
    return DISABLED;
  }

  /** Applies {@code rule} to the request's parameters. */
  static PageSizeOutcome evaluate(PageSizeRule rule, RequestView request) {
    if (rule == null || !rule.enabled()) {
      return DISABLED;
    }
    if (rule.parameters().size() == 1) {
      return evaluateOne(rule, request);
    }
    return evaluateMany(rule, request);
  }

  /**
   * {@link #evaluate} for a rule of several parameters: each one sent gets its own value, and the
   * first gets the default if none is.
   */
  private static PageSizeOutcome evaluateMany(PageSizeRule rule, RequestView request) {
    Map<String, Integer> values = new LinkedHashMap<>();
    Status status = Status.KEPT;
    boolean anyPresent = false;
    for (String name : rule.parameters()) {
      List<String> given = request.parameterValues(name);
      if (given.isEmpty()) {
        continue;
      }
      anyPresent = true;
      Integer first = null;
      for (String raw : given) {
        Integer parsed = parsePositive(raw);
        if (parsed == null) {
          if (rule.onInvalid() == InvalidPageSize.REJECT) {
            return new PageSizeOutcome(Status.REJECTED, Map.of(), name, raw, rule.maxSize());
          }
          values.put(name, rule.defaultSize());
          status = Status.INVALID_DEFAULTED;
          first = null;
          break;
        }
        if (first == null) {
          first = parsed;
        }
      }
      if (first != null) {
        status = putValid(rule, name, first, values, status);
      }
    }
    if (!anyPresent) {
      values.put(rule.parameters().get(0), rule.defaultSize());
      status = Status.DEFAULTED;
    }
    return new PageSizeOutcome(
        status, Collections.unmodifiableMap(values), null, null, rule.maxSize());
  }

  /**
   * Puts the value {@code name} gets for the valid {@code first} value sent (at most the maximum).
   *
   * @return the status so far, clamped if the value was above the maximum and nothing else happened
   */
  private static Status putValid(
      PageSizeRule rule, String name, int first, Map<String, Integer> values, Status status) {
    int effective = Math.min(first, rule.maxSize());
    values.put(name, effective);
    return first > rule.maxSize() && status == Status.KEPT ? Status.CLAMPED : status;
  }

  /**
   * Outcomes of one-parameter rules worth sharing: kept values up to this, and the constant ones.
   */
  private static final int SHARED_KEPT = 1024;

  private static final int DEFAULTED_AT = 0;
  private static final int CLAMPED_AT = 1;
  private static final int INVALID_DEFAULTED_AT = 2;
  private static final int KEPT_FROM = 3;

  /**
   * {@link #evaluate} for the usual rule of one parameter, without the general case's map building;
   * every outcome but a rejection or a kept value above {@value #SHARED_KEPT} is shared.
   */
  private static PageSizeOutcome evaluateOne(PageSizeRule rule, RequestView request) {
    String name = rule.parameters().get(0);
    List<String> given = request.parameterValues(name);
    PageSizeOutcome[] shared = rule.outcomes(PageSizeOutcome::sharedOutcomes);
    if (given.isEmpty()) {
      return shared[DEFAULTED_AT];
    }
    int first = 0; // no value read yet: a page size is at least 1
    for (int i = 0; i < given.size(); i++) {
      String raw = given.get(i);
      int parsed = positiveOrZero(raw);
      if (parsed == 0) {
        if (rule.onInvalid() == InvalidPageSize.REJECT) {
          return new PageSizeOutcome(Status.REJECTED, Map.of(), name, raw, rule.maxSize());
        }
        return shared[INVALID_DEFAULTED_AT];
      }
      if (first == 0) {
        first = parsed;
      }
    }
    // given is not empty and each value either parsed or returned: first is set
    if (first > rule.maxSize()) {
      return shared[CLAMPED_AT];
    }
    int keptShared = (shared.length - KEPT_FROM) / 2;
    if (first >= keptShared) {
      return new PageSizeOutcome(Status.KEPT, Map.of(name, first), null, null, rule.maxSize());
    }
    // The usual request, one value as the application would print it, needs no rewriting.
    boolean verbatim = given.size() == 1 && isCanonical(given.get(0));
    return shared[KEPT_FROM + first + (verbatim ? keptShared : 0)];
  }

  /** True for a number written the way {@link Integer#toString(int)} writes a positive one. */
  private static boolean isCanonical(String digits) {
    if (digits.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static PageSizeOutcome[] sharedOutcomes(PageSizeRule rule) {
    String name = rule.parameters().get(0);
    int max = rule.maxSize();
    // Kept values 1..n twice over: first those that rewrite the request, then those that need not.
    int keptShared = Math.min(max, SHARED_KEPT) + 1;
    PageSizeOutcome[] shared = new PageSizeOutcome[KEPT_FROM + 2 * keptShared];
    shared[DEFAULTED_AT] =
        new PageSizeOutcome(Status.DEFAULTED, Map.of(name, rule.defaultSize()), null, null, max);
    shared[CLAMPED_AT] = new PageSizeOutcome(Status.CLAMPED, Map.of(name, max), null, null, max);
    shared[INVALID_DEFAULTED_AT] =
        new PageSizeOutcome(
            Status.INVALID_DEFAULTED, Map.of(name, rule.defaultSize()), null, null, max);
    for (int size = 1; size < keptShared; size++) {
      shared[KEPT_FROM + size] =
          new PageSizeOutcome(Status.KEPT, Map.of(name, size), null, null, max);
      shared[KEPT_FROM + keptShared + size] =
          new PageSizeOutcome(Status.KEPT, Map.of(name, size), null, null, max, false);
    }
    return shared;
  }

  /**
   * Reads a page size the way {@link Integer#parseInt} does ({@code +50}, {@code 050} and non-ASCII
   * digits are numbers), and accepts only values of at least 1.
   */
  static @Nullable Integer parsePositive(@Nullable String raw) {
    if (raw == null || raw.isEmpty() || raw.length() > 64) {
      return null;
    }
    try {
      int n = Integer.parseInt(raw);
      return n >= 1 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * {@link #parsePositive} as an {@code int}, 0 where that is null: plain ASCII digits (every usual
   * page size) are read here without a parse that may throw or a boxed result.
   */
  static int positiveOrZero(@Nullable String raw) {
    if (raw != null && !raw.isEmpty() && raw.length() <= 9) {
      int n = 0;
      for (int i = 0; i < raw.length() && n >= 0; i++) {
        char c = raw.charAt(i);
        n = c >= '0' && c <= '9' ? n * 10 + (c - '0') : -1;
      }
      if (n >= 0) {
        return n; // nine digits never overflow; all zeros is 0, not a page size
      }
    }
    Integer parsed = parsePositive(raw);
    return parsed == null ? 0 : parsed;
  }

  /** What happened to the page size: see {@link Status}. */
  public Status status() {
    return status;
  }

  /** True if the request must be answered 400. */
  public boolean rejected() {
    return status == Status.REJECTED;
  }

  /**
   * The value each page-size parameter must have for the application, by parameter name; every
   * value the client sent for these names is replaced by this one. Empty when disabled or rejected.
   */
  public Map<String, Integer> values() {
    return values;
  }

  /**
   * True if the application must be shown {@link #values()} instead of what the client sent; false
   * when the client sent each page-size parameter once, with its effective value written as a plain
   * number ({@code pageSize=50}, not {@code pageSize=050} or {@code pageSize=50&pageSize=9000}), so
   * an adapter can pass the request on untouched.
   */
  public boolean changesRequest() {
    return changesRequest;
  }

  /** The parameter whose value was invalid, or {@code null}. */
  public @Nullable String invalidParameter() {
    return invalidParameter;
  }

  /** The invalid value as sent, or {@code null}. Never echo it unescaped. */
  public @Nullable String invalidValue() {
    return invalidValue;
  }

  /**
   * The {@code application/problem+json} body of the 400 for a rejected page size, or {@code null}
   * if not rejected. For adapters answering it without a verdict (when the engine failed to decide
   * the rate limits: the page size still holds).
   */
  public @Nullable String problemBody() {
    return rejected() ? Problems.invalidPageSize(this) : null;
  }

  /** The maximum page size of the rule that applied (0 when disabled). */
  public int maxSize() {
    return maxSize;
  }

  /**
   * Rewrites a raw (still percent-encoded) query string so that each page-size parameter appears
   * once, with its effective value, where it first appeared (or at the end). Other parameters are
   * kept byte for byte. Parameter names are compared after decoding, so {@code page%53ize} is
   * {@code pageSize}.
   *
   * @param rawQuery the query without {@code ?}; may be {@code null} or empty
   * @return the new raw query; {@code rawQuery} itself if nothing changes
   */
  public String rewriteQuery(String rawQuery) {
    if (values.isEmpty()) {
      return rawQuery;
    }
    StringBuilder out = new StringBuilder();
    Map<String, Integer> pending = new LinkedHashMap<>(values);
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (values.containsKey(name)) {
          Integer v = pending.remove(name);
          if (v != null) {
            append(out, URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + v);
          }
        } else {
          append(out, pair);
        }
      }
    }
    for (Map.Entry<String, Integer> e : pending.entrySet()) {
      append(out, URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + e.getValue());
    }
    String result = out.toString();
    return result.equals(rawQuery) ? rawQuery : result;
  }

  /**
   * The values of {@code name} in {@code application/x-www-form-urlencoded} text (a raw query or a
   * form body), decoded as UTF-8 where the percent-encoding is valid and kept as written where it
   * is not: names are compared exactly as {@link #rewriteQuery(String)} compares them. For adapters
   * whose container cannot (or does not) parse the parameters itself.
   */
  public static List<String> parameterValues(@Nullable String encoded, String name) {
    if (encoded == null || encoded.isEmpty()) {
      return List.of();
    }
    List<String> values = new ArrayList<>(1);
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (decode(eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
        values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return values;
  }

  private static void append(StringBuilder out, String pair) {
    if (out.length() > 0) {
      out.append('&');
    }
    out.append(pair);
  }

  /** Percent-decoding as UTF-8 that keeps a malformed escape as written instead of failing. */
  static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  @Override
  public String toString() {
    return status + (values.isEmpty() ? "" : " " + values);
  }
}
