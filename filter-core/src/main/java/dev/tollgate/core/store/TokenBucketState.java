package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import java.math.BigInteger;

/**
 * GCRA: the bucket is one "theoretical arrival time" in epoch nanoseconds. A request of cost c is
 * admitted if the time it would push the TAT to is at most one window ahead of now.
 */
final class TokenBucketState extends LimitState {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private long tat = Long.MIN_VALUE;

  /**
   * After a quota decrease, the backlog (beyond one window) that the lower quota inherited, so that
   * usage above the new quota is owed rather than forgotten; 0 otherwise.
   */
  private long overdraft;

  @Override
  void advance(Limit limit, long now) {
    long nowNanos = now * NANOS_PER_MILLI;
    long window = windowNanos(limit);
    if (overdraft != 0 && backlog(now) <= window) {
      overdraft = 0;
    }
    long ceiling = nowNanos + Math.max(window, overdraft);
    if (tat > ceiling) {
      tat = ceiling; // clock went backwards: an empty bucket, not a longer lockout
    }
  }

  @Override
  boolean currentAt(Limit limit, long now) {
    // Without an overdraft, advance only caps a TAT beyond one window (a clock gone back).
    return overdraft == 0 && tat <= now * NANOS_PER_MILLI + windowNanos(limit);
  }

  @Override
  void requota(Limit before, Limit after, long now) {
    long backlog = backlog(now);
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
    tat = now * NANOS_PER_MILLI + scaled;
    overdraft = scaled > windowNanos(after) ? scaled : 0;
  }

  @Override
  long available(Limit limit, long now) {
    long backlog = backlog(now);
    long tokens = (windowNanos(limit) - backlog) / interval(limit);
    return Math.max(0, Math.min(limit.quota(), tokens));
  }

  @Override
  void consume(Limit limit, long now, long cost) {
    long nowNanos = now * NANOS_PER_MILLI;
    long next = Math.max(tat, nowNanos) + cost * interval(limit);
    // Rejected calls that count can empty the bucket but never owe more than one window (nor
    // erase what a quota decrease left owing).
    tat = Math.max(tat, Math.min(next, nowNanos + windowNanos(limit)));
  }

  @Override
  void refund(Limit limit, long now, long units, long takenAt) {
    long nowNanos = now * NANOS_PER_MILLI;
    if (tat > nowNanos) {
      long back =
          units > Long.MAX_VALUE / interval(limit) ? Long.MAX_VALUE : units * interval(limit);
      tat = Math.max(nowNanos, tat - back);
    }
  }

  @Override
  long resetMillis(Limit limit, long now) {
    long backlog = backlog(now);
    if (backlog == 0) {
      return 0;
    }
    long interval = interval(limit);
    long sinceLastToken = Math.floorMod(windowNanos(limit) - backlog, interval);
    return ceilMillis(interval - sinceLastToken);
  }

  @Override
  long retryAfterMillis(Limit limit, long now, long cost) {
    if (available(limit, now) >= cost) {
      return 0;
    }
    long wait = backlog(now) + cost * interval(limit) - windowNanos(limit);
    return Math.max(1, ceilMillis(wait));
  }

  private long backlog(long now) {
    return tat == Long.MIN_VALUE ? 0 : Math.max(0, tat - now * NANOS_PER_MILLI);
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
