package dev.tollgate.core;

import java.util.List;

/**
 * Writes the selected header dialects for a decision straight into a {@link HeaderSink}. The parts
 * that never change (policy names, quotas, windows, {@code RateLimit-Policy}) come precomputed from
 * the {@link Route}; per request only the numbers are written. Stateless.
 */
final class HeaderWriter {

  /**
   * Reused for the one header value built from parts ({@code RateLimit}) when a route has more than
   * two limits: no builder per response.
   */
  private static final ThreadLocal<StringBuilder> BUFFER =
      ThreadLocal.withInitial(() -> new StringBuilder(128));

  /** The decimal strings of small numbers, made once: remaining quotas are mostly small. */
  private static final String[] SMALL_NUMBERS = new String[1024];

  static {
    for (int i = 0; i < SMALL_NUMBERS.length; i++) {
      SMALL_NUMBERS[i] = Integer.toString(i);
    }
  }

  private HeaderWriter() {}

  static String number(long n) {
    return n >= 0 && n < SMALL_NUMBERS.length ? SMALL_NUMBERS[(int) n] : Long.toString(n);
  }

  /**
   * @param usage the store's answer: the clock at {@code [0]}, then remaining, reset and retry
   *     milliseconds per limit of {@code route}
   * @param rejected whether the request is answered 429
   * @param retryAfterSeconds the Retry-After value for a 429
   */
  static void write(
      TollgateConfig config,
      Route route,
      long[] usage,
      boolean rejected,
      long retryAfterSeconds,
      HeaderSink out) {
    if (rejected) {
      out.set("Retry-After", number(retryAfterSeconds));
    }
    if (route.limitCount() == 0 || config.dialects().isEmpty()) {
      return;
    }
    int nearest =
        route.mixedUnits
            ? nearestToExhaustion(route, usage)
            : nearestToExhaustion(usage, route.limitCount());
    if (!rejected && config.headersAfterUsedShare() > 0) {
      long quota = route.policies[nearest].limit.quota();
      if ((double) (quota - remaining(usage, nearest)) / quota < config.headersAfterUsedShare()) {
        return;
      }
    }
    writeDialects(config, route, usage, nearest, rejected, retryAfterSeconds, out);
  }

  /**
   * Writes the headers of each dialect {@code config} selects; {@code nearest} is the limit shown
   * by the dialects that carry one.
   */
  private static void writeDialects(
      TollgateConfig config,
      Route route,
      long[] usage,
      int nearest,
      boolean rejected,
      long retryAfterSeconds,
      HeaderSink out) {
    long now = usage[0];
    List<HeaderDialect> dialects = config.dialects();
    for (int d = 0; d < dialects.size(); d++) { // no iterator: this runs for every response
      switch (dialects.get(d)) {
        case IETF:
          ietf(out, route, usage, true, rejected, retryAfterSeconds);
          break;
        case IETF_DRAFT_10:
          ietf(out, route, usage, false, false, 0);
          break;
        case IETF_DRAFT_6:
          draft6(out, route, usage, nearest);
          break;
        case TRUTO:
          truto(out, route, usage, nearest);
          break;
        case TEOS:
          teos(out, route, usage, nearest, now);
          break;
        default:
          github(out, route, usage, nearest, now);
      }
    }
  }

  static long remaining(long[] usage, int limit) {
    return usage[1 + 3 * limit];
  }

  static long resetMillis(long[] usage, int limit) {
    return usage[2 + 3 * limit];
  }

  static long retryAfterMillis(long[] usage, int limit) {
    return usage[3 + 3 * limit];
  }

  /**
   * On a 429 one of the limits that rejected; else the least remaining, a tie to the later reset.
   */
  static int nearestToExhaustion(long[] usage, int count) {
    boolean anyRejected = false;
    for (int i = 0; i < count; i++) {
      anyRejected |= retryAfterMillis(usage, i) > 0;
    }
    int best = -1;
    for (int i = 0; i < count; i++) {
      if (anyRejected && retryAfterMillis(usage, i) <= 0) {
        continue;
      }
      if (best < 0) {
        best = i;
        continue;
      }
      long key = anyRejected ? retryAfterMillis(usage, i) : -remaining(usage, i);
      long bestKey = anyRejected ? retryAfterMillis(usage, best) : -remaining(usage, best);
      if (key > bestKey || (key == bestKey && resetMillis(usage, i) > resetMillis(usage, best))) {
        best = i;
      }
    }
    return best;
  }

  /**
   * @param draft11 {@code t} as draft-11's effective window: for an unused limit the time within
   *     which its whole quota is all the client can use (not 0), and on a 429 at most {@code
   *     Retry-After}, which must not point before the end of any effective window; both remain true
   *     statements about the limit. Otherwise draft-10's time until quota next grows.
   */
  private static void ietf(
      HeaderSink out,
      Route route,
      long[] usage,
      boolean draft11,
      boolean rejected,
      long retryAfterSeconds) {
    out.set("RateLimit-Policy", route.ietfPolicy);
    out.set(
        "RateLimit",
        rejected
            ? rejectedRateLimit(route, usage, retryAfterSeconds)
            : rateLimit(route, usage, draft11, false, 0));
  }

  /**
   * The {@code RateLimit} value of a 429 (draft-11): the route's last one while its numbers are
   * unchanged, since a client over its quota is told the same until a second passes.
   */
  private static String rejectedRateLimit(Route route, long[] usage, long retryAfterSeconds) {
    int count = route.limitCount();
    Route.Remembered last = route.lastRejectedRateLimit;
    if (last != null && last.numbers.length == 2 * count) {
      boolean same = true;
      for (int i = 0; i < count && same; i++) {
        same =
            last.numbers[2 * i] == remaining(usage, i)
                && last.numbers[2 * i + 1] == ietfT(route, usage, i, true, true, retryAfterSeconds);
      }
      if (same) {
        return last.value;
      }
    }
    long[] numbers = new long[2 * count];
    for (int i = 0; i < count; i++) {
      numbers[2 * i] = remaining(usage, i);
      numbers[2 * i + 1] = ietfT(route, usage, i, true, true, retryAfterSeconds);
    }
    String value = rateLimit(route, usage, true, true, retryAfterSeconds);
    route.lastRejectedRateLimit = new Route.Remembered(numbers, value);
    return value;
  }

  /**
   * The {@code RateLimit} value: each limit's remaining quota and {@code t} (see {@link #ietf}).
   */
  private static String rateLimit(
      Route route, long[] usage, boolean draft11, boolean rejected, long retryAfterSeconds) {
    int count = route.limitCount();
    // One and two limits (most configurations) as one concatenation each: javac sizes the string
    // exactly and writes it once, with no builder to fetch, fill and copy.
    if (count == 1) {
      return route.policies[0].ietfItem
          + remaining(usage, 0)
          + ";t="
          + ietfT(route, usage, 0, draft11, rejected, retryAfterSeconds);
    }
    if (count == 2) {
      return route.policies[0].ietfItem
          + remaining(usage, 0)
          + ";t="
          + ietfT(route, usage, 0, draft11, rejected, retryAfterSeconds)
          + ", "
          + route.policies[1].ietfItem
          + remaining(usage, 1)
          + ";t="
          + ietfT(route, usage, 1, draft11, rejected, retryAfterSeconds);
    }
    StringBuilder state = BUFFER.get();
    state.setLength(0);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        state.append(", ");
      }
      state
          .append(route.policies[i].ietfItem)
          .append(remaining(usage, i))
          .append(";t=")
          .append(ietfT(route, usage, i, draft11, rejected, retryAfterSeconds));
    }
    String value = state.toString();
    if (state.capacity() > 4096) {
      BUFFER.remove(); // an unusual number of limits: don't keep a large buffer per thread
    }
    return value;
  }

  /**
   * The {@code t} parameter of limit {@code i} in the {@code RateLimit} field (see {@link #ietf}).
   */
  private static long ietfT(
      Route route, long[] usage, int i, boolean draft11, boolean rejected, long retryAfterSeconds) {
    long reset = resetMillis(usage, i);
    long t = LimitStatus.ceilSeconds(reset);
    if (draft11) {
      if (reset <= 0) {
        t = LimitStatus.ceilSeconds(unusedEffectiveWindowMillis(route.policies[i].limit, usage[0]));
      }
      if (rejected) {
        t = Math.min(t, retryAfterSeconds);
      }
    }
    return t;
  }

  /**
   * For a limit nothing is counted in: how long the client, using its whole quota now, gets no
   * more. A fixed window until it ends; a rolling window until the current bucket leaves it; a
   * token bucket until its next token.
   */
  static long unusedEffectiveWindowMillis(Limit limit, long now) {
    long window = limit.windowMillis();
    switch (limit.algorithm()) {
      case FIXED_WINDOW:
        return window - Math.floorMod(now, window);
      case ROLLING_WINDOW:
        long precision = limit.precisionMillis();
        return (Math.floorDiv(now, precision) + 1) * precision + window - now;
      default:
        return Math.max(1, window / limit.quota());
    }
  }

  /**
   * {@link #nearestToExhaustion(long[], int)} for a route with limits in units other than requests,
   * for dialects that carry one limit and no unit: on a 429 one of the limits that rejected (of any
   * unit); otherwise a request limit, since a count of milliseconds or bytes would read as
   * requests. Only when the route has no request limit is a limit in another unit shown.
   */
  static int nearestToExhaustion(Route route, long[] usage) {
    int count = route.limitCount();
    boolean anyRejected = false;
    boolean anyRequests = false;
    for (int i = 0; i < count; i++) {
      anyRejected |= retryAfterMillis(usage, i) > 0;
      anyRequests |= route.policies[i].limit.unit() == QuotaUnit.REQUESTS;
    }
    if (anyRejected || !anyRequests) {
      return nearestToExhaustion(usage, count);
    }
    int best = -1;
    for (int i = 0; i < count; i++) {
      if (route.policies[i].limit.unit() != QuotaUnit.REQUESTS) {
        continue;
      }
      if (best < 0
          || remaining(usage, i) < remaining(usage, best)
          || (remaining(usage, i) == remaining(usage, best)
              && resetMillis(usage, i) > resetMillis(usage, best))) {
        best = i;
      }
    }
    return best;
  }

  private static void draft6(HeaderSink out, Route route, long[] usage, int nearest) {
    out.set("RateLimit-Limit", route.policies[nearest].quota);
    out.set("RateLimit-Remaining", number(remaining(usage, nearest)));
    out.set("RateLimit-Reset", number(LimitStatus.ceilSeconds(resetMillis(usage, nearest))));
    out.set("RateLimit-Policy", route.draft6Policy);
  }

  private static void truto(HeaderSink out, Route route, long[] usage, int nearest) {
    out.set("ratelimit-limit", route.policies[nearest].quotaAndWindow);
    out.set("ratelimit-remaining", number(remaining(usage, nearest)));
    out.set("ratelimit-reset", number(LimitStatus.ceilSeconds(resetMillis(usage, nearest))));
  }

  private static void teos(HeaderSink out, Route route, long[] usage, int nearest, long now) {
    Route.Policy p = route.policies[nearest];
    out.set("X-Rate-Limit-Limit", p.teosWindow);
    out.set("X-Rate-Limit-Remaining", number(remaining(usage, nearest)));
    out.set("X-Rate-Limit-Reset", p.teosReset(now + resetMillis(usage, nearest)));
  }

  private static void github(HeaderSink out, Route route, long[] usage, int nearest, long now) {
    Route.Policy p = route.policies[nearest];
    long remaining = remaining(usage, nearest);
    out.set("X-RateLimit-Limit", p.quota);
    out.set("X-RateLimit-Remaining", number(remaining));
    out.set("X-RateLimit-Used", number(p.limit.quota() - remaining));
    out.set(
        "X-RateLimit-Reset",
        Long.toString(Math.floorDiv(now + resetMillis(usage, nearest) + 999, 1000)));
    out.set("X-RateLimit-Resource", p.rule);
  }
}
