package dev.tollgate.jaxrs;

import dev.tollgate.core.Clock;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. Starts 15 s into a minute (windows are aligned to the epoch). */
final class MutableClock implements Clock {
  static final long START = 1_700_000_040_000L + 15_000L;

  private final AtomicLong now = new AtomicLong(START);

  @Override
  public long millis() {
    return now.get();
  }

  void advanceSeconds(long seconds) {
    now.addAndGet(seconds * 1000);
  }
}
