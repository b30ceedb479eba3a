package dev.tollgate.core.store;

import dev.tollgate.core.Limit;

/**
 * Windows aligned to the epoch; one count per window. In a {@link LimitState}: {@code at} is the
 * window's start, {@code count} the units used in it.
 */
final class FixedWindow {

  private FixedWindow() {}

  static void advance(LimitState s, Limit limit, long now) {
    if (currentAt(s, limit, now)) {
      return; // still the same window (nearly always): no 64-bit division
    }
    long window = limit.windowMillis();
    long start = now - Math.floorMod(now, window);
    // Written only when it changes: on a hot key, a write would take the cache line from every
    // other core that reads it.
    if (start != s.at) {
      if (start > s.at) {
        s.count = 0;
      }
      // A backwards jump re-bases the window on the current clock but keeps the count, so the
      // client gets nothing fresh and waits at most one window.
      s.at = start;
    }
  }

  static boolean currentAt(LimitState s, Limit limit, long now) {
    long start = s.at;
    return now >= start && now < start + limit.windowMillis();
  }

  static void consume(LimitState s, long cost) {
    s.count = Math.min(s.count + cost, Long.MAX_VALUE / 2);
  }

  static void refund(LimitState s, Limit limit, long units, long takenAt) {
    if (takenAt - Math.floorMod(takenAt, limit.windowMillis()) == s.at) {
      s.count = Math.max(0, s.count - units);
    }
  }

  static long resetMillis(LimitState s, Limit limit, long now) {
    return s.count == 0 ? 0 : s.at + limit.windowMillis() - now;
  }

  static long retryAfterMillis(LimitState s, Limit limit, long now, long cost) {
    return limit.quota() - s.count >= cost ? 0 : s.at + limit.windowMillis() - now;
  }
}
