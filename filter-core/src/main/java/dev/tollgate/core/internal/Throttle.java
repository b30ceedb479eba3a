package dev.tollgate.core.internal;

import dev.tollgate.core.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets something happen at most once per interval across threads, e.g. a warning that would
 * otherwise be logged on every request. Internal, shared by core and the adapters.
 */
public final class Throttle {

  private final long intervalMillis;
  private final Clock clock;
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE / 2);

  public Throttle(long intervalMillis, Clock clock) {
    if (intervalMillis <= 0) {
      throw new IllegalArgumentException("intervalMillis must be positive: " + intervalMillis);
    }
    this.intervalMillis = intervalMillis;
    this.clock = clock;
  }

  /** The usual interval for repeated warnings: one a minute, on the engine's clock. */
  public static Throttle perMinute(Clock clock) {
    return new Throttle(60_000, clock);
  }

  /**
   * True for at most one caller per interval. After the clock went back, the next caller is let
   * through and the interval starts again from the new time: a jump back of an hour must not
   * silence the warnings for an hour.
   */
  public boolean tryAcquire() {
    long now = clock.millis();
    long previous = last.get();
    return (now - previous >= intervalMillis || now < previous)
        && last.compareAndSet(previous, now);
  }
}
