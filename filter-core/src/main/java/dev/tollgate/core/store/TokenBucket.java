package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import java.math.BigInteger;

/**
 * GCRA: the bucket is one "theoretical arrival time" (TAT) in epoch nanoseconds. A request of cost
 * c is admitted if the time it would push the TAT to is at most one window ahead of now. In a
 * {@link LimitState}: {@code at} is the TAT; {@code count}, after a quota decrease, the backlog
 * (beyond one window) that the lower quota inherited, so that usage above the new quota is owed
 * rather than forgotten (the overdraft), and 0 otherwise.
 */
final class TokenBucket {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private TokenBucket() {}

  static void advance(LimitState s, Limit limit, long now) {
    long nowNanos = now * NANOS_PER_MILLI;
    long window = windowNanos(limit);
    if (s.count != 0 && backlog(s, now) <= window) {
      s.count = 0;
    }
    long ceiling = nowNanos + Math.max(window, s.count);
    if (s.at > ceiling) {
      s.at = ceiling; // clock went backwards: an empty bucket, not a longer lockout
    }
  }

  static boolean currentAt(LimitState s, Limit limit, long now) {
    // Without an overdraft, advance only caps a TAT beyond one window (a clock gone back).
    return s.count == 0 && s.at <= now * NANOS_PER_MILLI + windowNanos(limit);
  }

  static void requota(LimitState s, Limit before, Limit after, long now) {
    long backlog = backlog(s, now);
    if (backlog == 0 || interval(before) == interval(after)) {
      return;
    }
    // The backlog stands for backlog / interval(before) tokens used; keep that many at the new
    // interval.
    long scaled =
        BigInteger.valueOf(backlog)
            .multiply(BigInteger.valueOf(interval(after)))
            .divide(BigInteger.valueOf(interval(before)))
            .longValue();
    // Not capped at one window: a quota going down and up again must not grant fresh tokens.
    s.at = now * NANOS_PER_MILLI + scaled;
    s.count = scaled > windowNanos(after) ? scaled : 0;
  }

  static long available(LimitState s, Limit limit, long now) {
    long backlog = backlog(s, now);
    long tokens = (windowNanos(limit) - backlog) / interval(limit);
    return Math.max(0, Math.min(limit.quota(), tokens));
  }

  static void consume(LimitState s, Limit limit, long now, long cost) {
    long nowNanos = now * NANOS_PER_MILLI;
    long tat = s.at;
    long next = Math.max(tat, nowNanos) + cost * interval(limit);
    // Rejected calls that count can empty the bucket but never owe more than one window (nor
    // erase what a quota decrease left owing).
    s.at = Math.max(tat, Math.min(next, nowNanos + windowNanos(limit)));
  }

  static void refund(LimitState s, Limit limit, long now, long units) {
    long nowNanos = now * NANOS_PER_MILLI;
    long tat = s.at;
    if (tat > nowNanos) {
      long back =
          units > Long.MAX_VALUE / interval(limit) ? Long.MAX_VALUE : units * interval(limit);
      s.at = Math.max(nowNanos, tat - back);
    }
  }

  static long resetMillis(LimitState s, Limit limit, long now) {
    long backlog = backlog(s, now);
    if (backlog == 0) {
      return 0;
    }
    long interval = interval(limit);
    long sinceLastToken = Math.floorMod(windowNanos(limit) - backlog, interval);
    return ceilMillis(interval - sinceLastToken);
  }

  static long retryAfterMillis(LimitState s, Limit limit, long now, long cost) {
    if (available(s, limit, now) >= cost) {
      return 0;
    }
    long wait = backlog(s, now) + cost * interval(limit) - windowNanos(limit);
    return Math.max(1, ceilMillis(wait));
  }

  private static long backlog(LimitState s, long now) {
    long tat = s.at;
    return tat == LimitState.UNSET ? 0 : Math.max(0, tat - now * NANOS_PER_MILLI);
  }

  private static long windowNanos(Limit limit) {
    return limit.windowMillis() * NANOS_PER_MILLI;
  }

  private static long interval(Limit limit) {
    return Math.max(1, windowNanos(limit) / limit.quota());
  }

  private static long ceilMillis(long nanos) {
    return (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
  }
}
