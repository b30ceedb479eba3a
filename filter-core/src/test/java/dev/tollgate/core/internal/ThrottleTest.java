package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The once-a-minute throttle of repeated warnings, on a fake clock. */
class ThrottleTest {

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T18:00:00.500Z"));
  private final Throttle throttle = Throttle.perMinute(clock);

  @Test
  void theFirstCallerPassesThenNoneForExactlyOneMinute() {
    assertTrue(throttle.tryAcquire(), "the first warning is logged at once");
    assertFalse(throttle.tryAcquire());
    clock.advanceMillis(59_999);
    assertFalse(throttle.tryAcquire(), "one millisecond short of a minute");
    clock.advanceMillis(1);
    assertTrue(throttle.tryAcquire(), "a minute after the last one");
    assertFalse(throttle.tryAcquire());
  }

  @Test
  void theMinuteCountsFromTheLastWarningNotFromTheFirst() {
    assertTrue(throttle.tryAcquire());
    clock.advance(Duration.ofSeconds(90));
    assertTrue(throttle.tryAcquire()); // at 1:30
    clock.advance(Duration.ofSeconds(45));
    assertFalse(throttle.tryAcquire(), "2:15 is 45 s after the last warning");
    clock.advance(Duration.ofSeconds(15));
    assertTrue(throttle.tryAcquire());
  }

  @Test
  void anHourOfCallsEverySecondPassesSixtyTimes() {
    int passed = 0;
    for (int s = 0; s < 3600; s++) {
      passed += throttle.tryAcquire() ? 1 : 0;
      clock.advance(Duration.ofSeconds(1));
    }
    assertEquals(60, passed);
  }

  @Test
  void aClockGoingBackDoesNotSilenceTheWarningsForTheLengthOfTheJump() {
    assertTrue(throttle.tryAcquire());
    clock.advance(Duration.ofHours(-1));
    assertTrue(
        throttle.tryAcquire(), "the first call after the jump back passes and restarts the minute");
    assertFalse(throttle.tryAcquire());
    clock.advance(Duration.ofSeconds(59));
    assertFalse(throttle.tryAcquire());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(throttle.tryAcquire());
  }

  @Test
  void ofManyThreadsAtTheSameInstantExactlyOnePasses() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 50; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          calls.add(
              pool.submit(
                  () -> {
                    go.await();
                    return throttle.tryAcquire();
                  }));
        }
        go.countDown();
        int passed = 0;
        for (Future<Boolean> f : calls) {
          passed += f.get() ? 1 : 0;
        }
        assertEquals(1, passed, "round " + round);
        clock.advance(Duration.ofMinutes(1));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anIntervalMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Throttle(0, clock));
    assertEquals("intervalMillis must be positive: 0", e.getMessage());
  }
}
