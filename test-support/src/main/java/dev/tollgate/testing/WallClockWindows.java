package dev.tollgate.testing;

import java.time.Duration;

/**
 * For tests whose Tollgate runs on the system clock because a real container creates it (from
 * init-params or a WAR): fixed windows are aligned to the epoch, so a window boundary falling
 * between two requests would reset the count in the middle of the test. Such a test first waits, if
 * needed, for a fresh window; the wait is never longer than the time it asks for.
 */
public final class WallClockWindows {

  private WallClockWindows() {}

  /**
   * Returns once at least {@code needed} is left of the current {@code window}-long window of the
   * system clock (windows aligned to the epoch), sleeping into the next window if less is left.
   */
  public static void awaitFreshWindow(Duration window, Duration needed)
      throws InterruptedException {
    long w = window.toMillis();
    if (needed.toMillis() >= w) {
      throw new IllegalArgumentException(
          "needed " + needed + " must be shorter than the window " + window);
    }
    long left = w - Math.floorMod(System.currentTimeMillis(), w);
    if (left < needed.toMillis()) {
      Thread.sleep(left + 20); // just past the boundary
    }
  }

  /** {@link #awaitFreshWindow} for a one-minute window and a test of at most 10 s. */
  public static void awaitFreshMinute() throws InterruptedException {
    awaitFreshWindow(Duration.ofMinutes(1), Duration.ofSeconds(10));
  }
}
