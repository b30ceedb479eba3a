package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Limit;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rolling window allocates its ring only once a second bucket is used. It must answer exactly
 * as a ring allocated from the start ({@link EagerRollingWindowState}, the class as it was) after
 * any mix of steps within and past the ring, clock jumps back, costs (saturating ones too) and
 * refunds of units taken now, earlier and outside the window.
 */
class RollingWindowTest {

  private static final long T0 = 1_700_000_000_000L;

  @Test
  void answersAsARingAllocatedFromTheStart() {
    Limit[] limits = {
      Limit.of(1_000, Duration.ofMinutes(1), Algorithm.ROLLING_WINDOW),
      Limit.parse("10000/24h rolling"),
      Limit.of(3, Duration.ofSeconds(10), Algorithm.ROLLING_WINDOW)
    };
    Random random = new Random(20261204);
    for (int run = 0; run < 3_000; run++) {
      Limit limit = limits[run % limits.length];
      long window = limit.windowMillis();
      long precision = limit.precisionMillis();
      long now = T0 + random.nextInt((int) window);
      LimitState lazy = new LimitState();
      EagerRollingWindowState eager = new EagerRollingWindowState(limit);
      for (int op = 0; op < 40; op++) {
        String at = "run " + run + " (" + limit + "), step " + op;
        // As the store does: the clock moves, the state is advanced, then used.
        switch (random.nextInt(4)) {
          case 0 -> now += random.nextInt((int) Math.max(1, precision / 4)); // the same bucket
          case 1 -> now += random.nextLong(window); // within the ring
          case 2 -> now += window + random.nextLong(2 * window); // past the whole ring
          default -> now -= random.nextLong(window / 2); // the clock goes back
        }
        assertEquals(eager.currentAt(limit, now), lazy.currentAt(limit, now), at);
        lazy.advance(limit, now);
        eager.advance(limit, now);
        switch (random.nextInt(4)) {
          case 0 -> {
            long cost = random.nextInt(400);
            lazy.consume(limit, now, cost);
            eager.consume(limit, now, cost);
          }
          case 1 -> {
            long cost = Integer.MAX_VALUE - 5L + random.nextInt(10); // saturates
            lazy.consume(limit, now, cost);
            eager.consume(limit, now, cost);
          }
          case 2 -> {
            long units = random.nextInt(500);
            long takenAt = now - (random.nextBoolean() ? 0 : random.nextLong(2 * window));
            lazy.refund(limit, now, units, takenAt);
            eager.refund(limit, now, units, takenAt);
          }
          default -> {} // only time passes
        }
        assertEquals(eager.available(limit, now), lazy.available(limit, now), at);
        assertEquals(eager.resetMillis(limit, now), lazy.resetMillis(limit, now), at);
        for (long cost : new long[] {1, 7, 300, limit.quota(), limit.quota() + 1}) {
          assertEquals(
              eager.retryAfterMillis(limit, now, cost),
              lazy.retryAfterMillis(limit, now, cost),
              at + ", cost " + cost);
        }
      }
    }
  }

  @Test
  void aClientSeenWithinOneStepHasNoRingAndTheSecondStepMakesOne() {
    Limit limit = Limit.parse("10000/24h rolling");
    LimitState s = new LimitState();
    s.advance(limit, T0);
    s.consume(limit, T0, 5);
    s.advance(limit, T0 + 1);
    s.consume(limit, T0 + 1, 5);
    assertNull(s.ring, "one step: no ring");
    s.advance(limit, T0 + limit.precisionMillis());
    assertNotNull(s.ring, "a second step: a ring");
    assertEquals(10_000 - 10, s.available(limit, T0 + limit.precisionMillis()));
  }
}
