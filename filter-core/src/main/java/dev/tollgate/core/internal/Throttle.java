package dev.tollgate.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets something happen at most once per interval across threads, e.g. a warning that would
 * otherwise be logged on every request. Internal, shared by core and the adapters.
 */
public final class Throttle {

  private final long intervalMillis;
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE / 2);

  public Throttle(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  /** The usual interval for repeated warnings: one a minute. */
  public static Throttle perMinute() {
    return new Throttle(60_000);
  }

  /** True for at most one caller per interval (on the system clock). */
  public boolean tryAcquire() {
    long now = System.currentTimeMillis();
    long previous = last.get();
    return now - previous >= intervalMillis && last.compareAndSet(previous, now);
  }
}
