package dev.tollgate.core.store;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Limit;

/**
 * The counting state of one limit for one client. Not thread-safe: the owning {@link ClientState}
 * is locked around every call. Times are epoch milliseconds.
 */
abstract class LimitState {

  /** Moves the state to {@code now}; a clock that went backwards keeps the usage. */
  abstract void advance(Limit limit, long now);

  /**
   * True if {@link #advance} to {@code now} would change nothing. Read without the lock, under a
   * stamp: must not throw on a half-written state.
   */
  abstract boolean currentAt(Limit limit, long now);

  /** Quota units available at {@code now} (after {@link #advance}). */
  abstract long available(Limit limit, long now);

  /** Takes {@code cost} units, even beyond the quota (for rejected calls that count). */
  abstract void consume(Limit limit, long now, long cost);

  /**
   * Gives back {@code units} taken at {@code takenAt} (a refunded request), as far as they are
   * still counted: units of a window or bucket that has passed are gone already. Never below empty.
   */
  abstract void refund(Limit limit, long now, long units, long takenAt);

  /** Milliseconds until the available quota next grows; 0 when nothing is used. */
  abstract long resetMillis(Limit limit, long now);

  /** Milliseconds until {@code cost} units are available; 0 if they are now. */
  abstract long retryAfterMillis(Limit limit, long now, long cost);

  /**
   * Adapts the state to a limit with the same {@link Limit#stateId()} but another quota, keeping
   * the units the client has used. Counting states need nothing; a token bucket rescales its
   * backlog.
   */
  void requota(Limit before, Limit after, long now) {}

  /** How long an untouched state stays meaningful: after that it equals a fresh one. */
  static long idleMillis(Limit limit) {
    return limit.windowMillis()
        + (limit.algorithm() == Algorithm.ROLLING_WINDOW ? limit.precisionMillis() : 0);
  }

  static LimitState create(Limit limit) {
    switch (limit.algorithm()) {
      case FIXED_WINDOW:
        return new FixedWindowState();
      case ROLLING_WINDOW:
        return new RollingWindowState(limit);
      default:
        return new TokenBucketState();
    }
  }
}
