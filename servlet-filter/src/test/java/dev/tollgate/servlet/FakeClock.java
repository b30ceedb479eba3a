package dev.tollgate.servlet;

import dev.tollgate.core.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. Starts 10 s into a minute, so a fixed minute window resets in 50 s. */
final class FakeClock implements Clock {

  /** 2027-01-15T00:00:00Z, on a whole minute (and day). */
  static final long START = 1_800_000_000_000L - 1_800_000_000_000L % 86_400_000L;

  private final AtomicLong now = new AtomicLong(START + 10_000);

  @Override
  public long millis() {
    return now.get();
  }

  void advance(Duration d) {
    now.addAndGet(d.toMillis());
  }
}
