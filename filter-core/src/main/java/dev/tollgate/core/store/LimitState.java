package dev.tollgate.core.store;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Limit;
import org.jspecify.annotations.Nullable;

/**
 * The counting state of one limit for one client: two numbers and, for a rolling window that has
 * used more than one step, a ring. What the numbers mean is the limit's algorithm's ({@link
 * FixedWindow}, {@link RollingWindow}, {@link TokenBucket}); every algorithm starts from {@link
 * #at} unset and nothing counted, so a state can be reused for another algorithm after {@link
 * #reset}. Data rather than an object per algorithm so that {@link RuleState} (and so a client's
 * entry) can hold its first limit's state in its own fields: the common client then costs one
 * object and one pointer to follow less per decision.
 *
 * <p>Not thread-safe: the owning {@link ClientEntry} is locked around every call but the reads
 * named as safe without it. Times are epoch milliseconds.
 */
class LimitState {

  /** Unset: nothing was ever counted. */
  static final long UNSET = Long.MIN_VALUE;

  /** Where the state stands: a window's start, the newest bucket's index, or a bucket's TAT. */
  long at = UNSET;

  /** The units counted (windows), or a token bucket's overdraft. */
  long count;

  /** A rolling window's ring of counts per step, once a second step is used; else null. */
  int @Nullable [] ring;

  /** Empty, as new. */
  final void reset() {
    at = UNSET;
    count = 0;
    ring = null;
  }

  /** Takes {@code other}'s numbers (and its ring, which {@code other} must then no longer use). */
  final void takeFrom(LimitState other) {
    at = other.at;
    count = other.count;
    ring = other.ring;
  }

  /** Moves the state to {@code now}; a clock that went backwards keeps the usage. */
  final void advance(Limit limit, long now) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      FixedWindow.advance(this, limit, now);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      RollingWindow.advance(this, limit, now);
    } else {
      TokenBucket.advance(this, limit, now);
    }
  }

  /**
   * True if {@link #advance} to {@code now} would change nothing. Read without the lock, under a
   * stamp: must not throw on a half-written state.
   */
  final boolean currentAt(Limit limit, long now) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      return FixedWindow.currentAt(this, limit, now);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      return RollingWindow.currentAt(this, limit, now);
    }
    return TokenBucket.currentAt(this, limit, now);
  }

  /** Quota units available at {@code now} (after {@link #advance}). */
  final long available(Limit limit, long now) {
    if (limit.algorithm() == Algorithm.TOKEN_BUCKET) {
      return TokenBucket.available(this, limit, now);
    }
    return Math.max(0, limit.quota() - count); // both windows count units used
  }

  /** Takes {@code cost} units, even beyond the quota (for rejected calls that count). */
  final void consume(Limit limit, long now, long cost) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      FixedWindow.consume(this, cost);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      RollingWindow.consume(this, cost);
    } else {
      TokenBucket.consume(this, limit, now, cost);
    }
  }

  /**
   * Gives back {@code units} taken at {@code takenAt} (a refunded request), as far as they are
   * still counted: units of a window or bucket that has passed are gone already. Never below empty.
   */
  final void refund(Limit limit, long now, long units, long takenAt) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      FixedWindow.refund(this, limit, units, takenAt);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      RollingWindow.refund(this, limit, units, takenAt);
    } else {
      TokenBucket.refund(this, limit, now, units);
    }
  }

  /** Milliseconds until the available quota next grows; 0 when nothing is used. */
  final long resetMillis(Limit limit, long now) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      return FixedWindow.resetMillis(this, limit, now);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      return RollingWindow.resetMillis(this, limit, now);
    }
    return TokenBucket.resetMillis(this, limit, now);
  }

  /** Milliseconds until {@code cost} units are available; 0 if they are now. */
  final long retryAfterMillis(Limit limit, long now, long cost) {
    Algorithm a = limit.algorithm();
    if (a == Algorithm.FIXED_WINDOW) {
      return FixedWindow.retryAfterMillis(this, limit, now, cost);
    } else if (a == Algorithm.ROLLING_WINDOW) {
      return RollingWindow.retryAfterMillis(this, limit, now, cost);
    }
    return TokenBucket.retryAfterMillis(this, limit, now, cost);
  }

  /**
   * Adapts the state to a limit with the same {@link Limit#stateId()} but another quota, keeping
   * the units the client has used. Counting states need nothing; a token bucket rescales its
   * backlog.
   */
  final void requota(Limit before, Limit after, long now) {
    if (after.algorithm() == Algorithm.TOKEN_BUCKET) {
      TokenBucket.requota(this, before, after, now);
    }
  }

  /** How long an untouched state stays meaningful: after that it equals a fresh one. */
  static long idleMillis(Limit limit) {
    return limit.windowMillis()
        + (limit.algorithm() == Algorithm.ROLLING_WINDOW ? limit.precisionMillis() : 0);
  }
}
