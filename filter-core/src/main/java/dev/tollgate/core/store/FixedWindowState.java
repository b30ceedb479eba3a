package dev.tollgate.core.store;

import dev.tollgate.core.Limit;

/** Windows aligned to the epoch; one count per window. */
final class FixedWindowState extends LimitState {

  private long windowStart = Long.MIN_VALUE;
  private long count;

  @Override
  void advance(Limit limit, long now) {
    if (currentAt(limit, now)) {
      return; // still the same window (nearly always): no 64-bit division
    }
    long window = limit.windowMillis();
    long start = now - Math.floorMod(now, window);
    // Written only when it changes: on a hot key, a write would take the cache line from every
    // other core that reads it.
    if (start != windowStart) {
      if (start > windowStart) {
        count = 0;
      }
      // A backwards jump re-bases the window on the current clock but keeps the count, so the
      // client gets nothing fresh and waits at most one window.
      windowStart = start;
    }
  }

  @Override
  boolean currentAt(Limit limit, long now) {
    return now >= windowStart && now < windowStart + limit.windowMillis();
  }

  @Override
  long available(Limit limit, long now) {
    return Math.max(0, limit.quota() - count);
  }

  @Override
  void consume(Limit limit, long now, long cost) {
    count = Math.min(count + cost, Long.MAX_VALUE / 2);
  }

  @Override
  void refund(Limit limit, long now, long units, long takenAt) {
    if (takenAt - Math.floorMod(takenAt, limit.windowMillis()) == windowStart) {
      count = Math.max(0, count - units);
    }
  }

  @Override
  long resetMillis(Limit limit, long now) {
    return count == 0 ? 0 : windowStart + limit.windowMillis() - now;
  }

  @Override
  long retryAfterMillis(Limit limit, long now, long cost) {
    return limit.quota() - count >= cost ? 0 : windowStart + limit.windowMillis() - now;
  }
}
