package dev.tollgate.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when a test moves it. Thread-safe. The one fake clock of the project's
 * tests: filter-core exports it in its test jar to the adapters' and the Redis store's tests.
 */
public final class FakeClock implements Clock {

  /** 2027-01-15T00:00:00Z: a whole day, hence a whole hour and minute. */
  public static final long START = Instant.parse("2027-01-15T00:00:00Z").toEpochMilli();

  private final AtomicLong millis;

  /** Starts 10 s after {@link #START}: a fixed minute window resets in 50 s. */
  public FakeClock() {
    this(Instant.ofEpochMilli(START + 10_000));
  }

  public FakeClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** 2026-11-22T18:00:00Z: aligned to the minute and the hour, not to the day. */
  public static FakeClock at1800() {
    return new FakeClock(Instant.parse("2026-11-22T18:00:00Z"));
  }

  @Override
  public long millis() {
    return millis.get();
  }

  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  public FakeClock advance(Duration d) {
    millis.addAndGet(d.toMillis());
    return this;
  }

  public FakeClock advanceSeconds(long seconds) {
    millis.addAndGet(seconds * 1000);
    return this;
  }

  public FakeClock advanceMillis(long ms) {
    millis.addAndGet(ms);
    return this;
  }

  public FakeClock set(Instant instant) {
    millis.set(instant.toEpochMilli());
    return this;
  }

  public FakeClock setMillis(long epochMillis) {
    millis.set(epochMillis);
    return this;
  }
}
