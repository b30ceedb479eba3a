package dev.tollgate.core;

/**
 * The source of time for every limit decision, in milliseconds since the epoch.
 *
 * <p>Injected so that tests move time forward instead of sleeping through windows, in the way of
 * Caffeine's {@code Ticker}. The in-memory store reads it once per decision; the Redis store
 * ignores it and uses the Redis server's {@code TIME}, so that servers with skewed clocks still
 * agree.
 *
 * <p>Implementations must be thread-safe. The clock may jump; the algorithms never grant a fresh
 * quota when it jumps backwards, and never lock a client out for longer than its window.
 */
@FunctionalInterface
public interface Clock {

  /** Returns the current time in milliseconds since 1970-01-01T00:00:00Z. */
  long millis();

  /** Returns the system wall clock ({@link System#currentTimeMillis()}). */
  static Clock system() {
    return System::currentTimeMillis;
  }
}
