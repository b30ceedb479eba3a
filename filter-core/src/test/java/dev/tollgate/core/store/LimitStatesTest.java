package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The counting states' own contract, at the edges the engine's fast path does not reach: the reset
 * and retry each state computes for stores that ask it (the {@code RateLimitStore} interface and
 * the local fallback), costs of exactly the units left, refunds, and the idle time after which a
 * state equals a fresh one. Times are epoch milliseconds chosen off any window boundary.
 */
class LimitStatesTest {

  /** A whole day, so every window and bucket of these tests starts here. */
  private static final long T0 = FakeClock.START;

  private static LimitState at(Limit limit, long now) {
    LimitState s = new LimitState();
    s.advance(limit, now);
    return s;
  }

  // ---- fixed window -------------------------------------------------------------------------

  private final Limit fixed = Limit.of(5, Duration.ofMinutes(1));

  @Test
  void fixedWindowRetryIsZeroWhileTheCostStillFitsAndTheWindowsEndOnceItDoesNot() {
    long now = T0 + 10_000;
    LimitState s = at(fixed, now);
    s.consume(fixed, now, 4); // one unit left
    assertEquals(0, s.retryAfterMillis(fixed, now, 1), "a cost of exactly what is left fits");
    assertEquals(50_000, s.retryAfterMillis(fixed, now, 2), "one unit more waits for the window");
    s.consume(fixed, now, 1);
    assertEquals(50_000, s.retryAfterMillis(fixed, now, 1));
    assertEquals(1, s.retryAfterMillis(fixed, T0 + 59_999, 1), "1 ms before the window ends");
    assertEquals(50_000, s.resetMillis(fixed, now));
  }

  @Test
  void fixedWindowRefundGivesBackUnitsTakenInTheCurrentWindowOnly() {
    long takenAt = T0 + 10_000; // not the window's first millisecond
    LimitState s = at(fixed, takenAt);
    s.consume(fixed, takenAt, 5);
    s.refund(fixed, T0 + 20_000, 2, takenAt);
    assertEquals(2, s.available(fixed, T0 + 20_000));
    s.refund(fixed, T0 + 20_000, 9, takenAt);
    assertEquals(5, s.available(fixed, T0 + 20_000), "never below empty");

    s.consume(fixed, T0 + 20_000, 5);
    s.refund(fixed, T0 + 20_000, 3, T0 - 1); // taken in the previous window: already gone
    assertEquals(0, s.available(fixed, T0 + 20_000));
  }

  // ---- rolling window -----------------------------------------------------------------------

  /** 6 per minute in 10 s buckets: a ring of 7. */
  private final Limit rolling =
      Limit.of(6, Duration.ofMinutes(1), Algorithm.ROLLING_WINDOW)
          .withPrecision(Duration.ofSeconds(10));

  @Test
  void idleMillisIsOneWindowAndForARollingWindowOneBucketMore() {
    assertEquals(60_000, LimitState.idleMillis(fixed));
    assertEquals(70_000, LimitState.idleMillis(rolling));
    assertEquals(
        60_000, LimitState.idleMillis(Limit.of(5, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET)));
  }

  @Test
  void rollingWindowResetCountsTheNewestBucketWhenItIsTheOnlyOneUsed() {
    long now = T0 + 15_000; // bucket [10 s, 20 s)
    LimitState s = at(rolling, now);
    assertEquals(0, s.resetMillis(rolling, now), "nothing used");
    s.consume(rolling, now, 1);
    // The bucket counts while it overlaps (now - 60 s, now]: until 80 s.
    assertEquals(65_000, s.resetMillis(rolling, now));
  }

  @Test
  void rollingWindowRetryIsZeroForACostOfExactlyWhatIsLeft() {
    long now = T0 + 15_000;
    LimitState s = at(rolling, now);
    s.consume(rolling, now, 4);
    assertEquals(0, s.retryAfterMillis(rolling, now, 2));
    assertEquals(65_000, s.retryAfterMillis(rolling, now, 3));
  }

  @Test
  void rollingWindowRetryWaitsForTheFirstBucketWhoseDepartureFreesExactlyEnough() {
    LimitState s = at(rolling, T0 + 5_000); // bucket [0, 10 s)
    s.consume(rolling, T0 + 5_000, 2);
    s.advance(rolling, T0 + 25_000); // bucket [20 s, 30 s)
    s.consume(rolling, T0 + 25_000, 4);
    long now = T0 + 30_000; // bucket [30 s, 40 s): the newest, empty
    s.advance(rolling, now);
    // 6 used; a cost of 2 fits once the first bucket (2 units) has left, at 70 s.
    assertEquals(40_000, s.retryAfterMillis(rolling, now, 2));
    // A cost of 3 needs the second one gone too, at 90 s.
    assertEquals(60_000, s.retryAfterMillis(rolling, now, 3));
  }

  @Test
  void rollingWindowRetryForACostAboveTheQuotaIsWhenTheNewestBucketLeaves() {
    long now = T0 + 15_000;
    LimitState s = at(rolling, now);
    s.consume(rolling, now, 6);
    // No departure ever makes 7 fit: the answer is when everything counted now has left.
    assertEquals(65_000, s.retryAfterMillis(rolling, now, 7));
  }

  @Test
  void rollingWindowRefundReachesBucketsStillInTheRingAndNoOther() {
    LimitState s = at(rolling, T0 + 5_000);
    s.consume(rolling, T0 + 5_000, 3);
    s.advance(rolling, T0 + 15_000);
    s.consume(rolling, T0 + 15_000, 3);
    s.refund(rolling, T0 + 15_000, 2, T0 + 5_000); // the older bucket, still counted
    assertEquals(2, s.available(rolling, T0 + 15_000));
    s.refund(rolling, T0 + 15_000, 9, T0 + 15_000); // the newest, never below empty
    assertEquals(5, s.available(rolling, T0 + 15_000));

    // 60 s later the bucket of 5 s has left the ring (7 buckets: [10 s, 80 s) remain).
    long later = T0 + 75_000;
    s.advance(rolling, later);
    s.consume(rolling, later, 6);
    s.refund(rolling, later, 1, T0 + 5_000); // gone already: nothing to give back
    s.refund(rolling, later, 1, T0 + 85_000); // not yet taken: nothing to give back
    assertEquals(0, s.available(rolling, later));
    s.refund(rolling, later, 1, T0 + 10_000); // the oldest bucket still in the ring
    assertEquals(0, s.available(rolling, later), "that bucket held nothing");
    s.refund(rolling, later, 1, later);
    assertEquals(1, s.available(rolling, later));
  }

  /**
   * The rolling window keeps the sum of its ring as the counts change instead of adding the ring up
   * per request: after any mix of steps forward (short and past the whole ring), steps back,
   * saturating costs and refunds, what it says is available is what its buckets add up to.
   */
  @Test
  void rollingWindowAvailableIsAlwaysWhatItsBucketsAddUpTo() {
    Limit limit = Limit.of(1_000, Duration.ofMinutes(1), Algorithm.ROLLING_WINDOW);
    java.util.Random random = new java.util.Random(20261203);
    for (int run = 0; run < 200; run++) {
      long now = T0 + random.nextInt(60_000);
      LimitState s = at(limit, now);
      for (int op = 0; op < 50; op++) {
        switch (random.nextInt(6)) {
          case 0 -> now += random.nextInt(20_000); // within the ring
          case 1 -> now += 60_000 + random.nextInt(120_000); // past the whole ring
          case 2 -> now -= random.nextInt(30_000); // the clock goes back
          case 3 -> s.consume(limit, now, random.nextInt(400));
          case 4 -> s.consume(limit, now, Integer.MAX_VALUE - 5L + random.nextInt(10)); // saturates
          default -> s.refund(limit, now, random.nextInt(500), now - random.nextInt(90_000));
        }
        s.advance(limit, now);
        // The ring exists once a second bucket was used; until then the newest holds everything
        // (RollingWindowTest compares that with a ring from the start).
        int[] counts = s.ring;
        long sum = 0;
        if (counts == null) {
          sum = s.count;
        } else {
          for (int c : counts) {
            sum += c;
          }
        }
        assertEquals(
            Math.max(0, 1_000 - sum), s.available(limit, now), "run " + run + ", step " + op);
      }
    }
  }

  // ---- token bucket -------------------------------------------------------------------------

  /** 6 per minute: a token every 10 s. */
  private final Limit bucket = Limit.of(6, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET);

  @Test
  void tokenBucketRetryIsZeroForACostOfExactlyTheTokensLeft() {
    long now = T0 + 1_000;
    LimitState s = at(bucket, now);
    assertEquals(0, s.retryAfterMillis(bucket, now, 6), "a full bucket pays its whole quota");
    s.consume(bucket, now, 4);
    assertEquals(0, s.retryAfterMillis(bucket, now, 2));
    assertEquals(10_000, s.retryAfterMillis(bucket, now, 3));
  }

  @Test
  void tokenBucketRefundGivesBackTokensButNeverMoreThanAFullBucket() {
    long now = T0 + 1_000;
    LimitState s = at(bucket, now);
    s.consume(bucket, now, 6);
    s.refund(bucket, now, 2, now);
    assertEquals(2, s.available(bucket, now));
    s.refund(bucket, now, Long.MAX_VALUE / 2, now); // huge: capped, no overflow
    assertEquals(6, s.available(bucket, now));
    assertEquals(0, s.resetMillis(bucket, now));
    s.refund(bucket, now, 1, now); // full already: nothing changes
    assertEquals(6, s.available(bucket, now));
  }

  @Test
  void tokenBucketOverdraftIsForgottenOnceTheBacklogIsDownToOneWindow() {
    long now = T0 + 1_000;
    Limit high = Limit.of(60, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET); // 1 token a second
    LimitState s = at(high, now);
    s.consume(high, now, 60); // backlog: one window
    s.requota(high, bucket, now); // 60 tokens used at 10 s each: 600 s owed
    s.advance(bucket, now);
    assertEquals(0, s.available(bucket, now));
    // 540 s later the backlog is exactly one window: the overdraft is paid off.
    long paid = now + 540_000;
    s.advance(bucket, paid);
    assertEquals(0, s.available(bucket, paid));
    // The clock then jumps back an hour: an empty bucket, not 10 more minutes of lockout.
    long back = paid - 3_600_000;
    s.advance(bucket, back);
    assertEquals(10_000, s.retryAfterMillis(bucket, back, 1));
  }

  /**
   * What a read without the lock relies on: a token bucket is current (advance would change
   * nothing) unless it owes an overdraft or its TAT lies beyond one window from now (a clock gone
   * back), and then advance makes it current.
   */
  @Test
  void tokenBucketIsCurrentUnlessItOwesAnOverdraftOrItsClockWentBack() {
    long now = T0 + 1_000;
    LimitState s = new LimitState();
    assertTrue(s.currentAt(bucket, now), "never used");
    s.advance(bucket, now);
    s.consume(bucket, now, 6); // the whole quota: the TAT exactly one window ahead
    assertTrue(s.currentAt(bucket, now));
    long back = now - 1;
    assertFalse(s.currentAt(bucket, back), "the TAT is now a millisecond beyond one window");
    s.advance(bucket, back);
    assertTrue(s.currentAt(bucket, back));

    Limit high = Limit.of(60, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET);
    LimitState owing = at(high, now);
    owing.consume(high, now, 60);
    owing.requota(high, bucket, now); // 600 s owed on a 60 s window
    assertFalse(owing.currentAt(bucket, now), "an overdraft: advance may have to forget it");
  }
}
