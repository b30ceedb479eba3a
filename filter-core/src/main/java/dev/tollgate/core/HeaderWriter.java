package dev.tollgate.core;

import java.util.List;

/**
 * Writes the selected header dialects for a decision straight into a {@link HeaderSink}. The parts
 * that never change (policy names, quotas, windows, {@code RateLimit-Policy}) come precomputed from
 * the {@link Route}; per request only the numbers are written. Stateless.
 */
final class HeaderWriter {

  /** Reused for the one header value built from parts ({@code RateLimit}): no builder per response. */
  private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(128));

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
  static void write(TollgateConfig config, Route route, long[] usage, boolean rejected,
      long retryAfterSeconds, HeaderSink out) {
    if (rejected) {
      out.set("Retry-After", number(retryAfterSeconds));
    }
    if (route.limitCount() == 0 || config.dialects().isEmpty()) {
      return;
    }
    int nearest = nearestToExhaustion(usage, route.limitCount());
    if (!rejected && config.headersAfterUsedShare() > 0) {
      long quota = route.policies[nearest].limit.quota();
      if ((double) (quota - remaining(usage, nearest)) / quota < config.headersAfterUsedShare()) {
        return;
      }
    }
    long now = usage[0];
    List<HeaderDialect> dialects = config.dialects();
    for (int d = 0; d < dialects.size(); d++) { // no iterator: this runs for every response
      switch (dialects.get(d)) {
        case IETF:
          ietf(out, route, usage);
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

  /** On a 429 one of the limits that rejected; else the least remaining, a tie to the later reset. */
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

  private static void ietf(HeaderSink out, Route route, long[] usage) {
    out.set("RateLimit-Policy", route.ietfPolicy);
    StringBuilder state = BUFFER.get();
    state.setLength(0);
    for (int i = 0; i < route.limitCount(); i++) {
      if (i > 0) {
        state.append(", ");
      }
      state.append(route.policies[i].ietfItem).append(remaining(usage, i))
          .append(";t=").append(LimitStatus.ceilSeconds(resetMillis(usage, i)));
    }
    out.set("RateLimit", state.toString());
    if (state.capacity() > 4096) {
      BUFFER.remove(); // an unusual number of limits: don't keep a large buffer per thread
    }
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
    out.set("X-RateLimit-Reset", Long.toString(Math.floorDiv(now + resetMillis(usage, nearest) + 999, 1000)));
    out.set("X-RateLimit-Resource", p.rule);
  }
}
