package dev.tollgate.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when a test moves it. Thread-safe. */
public final class FakeClock implements Clock {

  private final AtomicLong millis;

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
