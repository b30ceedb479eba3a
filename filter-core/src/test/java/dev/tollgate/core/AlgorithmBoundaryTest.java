package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each algorithm at and across window boundaries, with time moved only by a fake clock. */
class AlgorithmBoundaryTest {

  /**
   * The engine under test: on the in-memory store's fast path here; {@link
   * AlgorithmBoundaryThroughStoreInterfaceTest} runs every case again through the {@code
   * RateLimitStore} interface (the path of other stores and of the local fallback), where the limit
   * states compute reset and Retry-After themselves.
   */
  Tollgate engine(FakeClock clock, String... kv) {
    return Fixtures.engine(clock, kv);
  }

  private static final Instant T0 = Instant.parse("2026-11-22T18:00:00Z");
  private final TestRequest request = TestRequest.get("/api/things");

  @Test
  void fixedWindowAdmitsTwiceTheQuotaAcrossABoundary() {
    FakeClock clock = new FakeClock(T0.plusSeconds(59));
    Tollgate t = engine(clock, "limits", "100/1m");

    assertEquals(100, admitted(t, request, 100));
    Verdict rejected = t.check(request);
    assertEquals(429, rejected.status());
    assertEquals("1", header(rejected, "Retry-After"), "1 s left in the window");

    clock.set(T0.plusSeconds(60)); // the next window: a whole fresh quota one second later
    assertEquals(
        100, admitted(t, request, 100), "fixed windows allow 2x the quota within one second");
    Verdict again = t.check(request);
    assertFalse(again.proceed());
    assertEquals("60", header(again, "Retry-After"));
  }

  @Test
  void fixedWindowIsExactWithinAWindowAndResetsExactlyAtItsEnd() {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t = engine(clock, "limits", "5/1m");
    assertEquals(5, admitted(t, request, 10));
    clock.set(T0.plusMillis(59_999));
    assertFalse(t.check(request).proceed());
    clock.set(T0.plusSeconds(60));
    assertTrue(t.check(request).proceed());
  }

  @Test
  void rollingWindowAdmitsNothingUntilTheSpentQuotaHasLeftTheWindow() {
    FakeClock clock = new FakeClock(T0.plusSeconds(59));
    Tollgate t = engine(clock, "limits", "100/1m rolling");

    assertEquals(100, admitted(t, request, 100));
    clock.set(T0.plusSeconds(60));
    Verdict atBoundary = t.check(request);
    assertFalse(atBoundary.proceed(), "no fresh quota at the fixed boundary");
    long retry = Long.parseLong(header(atBoundary, "Retry-After"));
    // Spent at 0:59 in the 2 s bucket [0:58, 1:00): counted until 2:00.
    assertEquals(60, retry);

    for (int second = 61; second < 119; second++) {
      clock.set(T0.plusSeconds(second));
      Verdict v = t.check(request);
      assertFalse(v.proceed(), "admitted at 0:" + second + " although 100 were spent at 0:59");
      long r = Long.parseLong(header(v, "Retry-After"));
      assertTrue(
          second + r >= 119, "Retry-After " + r + " at " + second + "s points before 0:59 + 1m");
    }
    clock.set(T0.plusMillis(119_999));
    assertFalse(t.check(request).proceed(), "0:59 is still inside (now - 1m, now]");
    clock.set(T0.plusSeconds(120)); // one window plus at most one precision step (2 s) later
    assertEquals(100, admitted(t, request, 101));
  }

  @Test
  void rollingWindowFreesEachPartOfTheQuotaOneWindowAfterItWasSpent() {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t = engine(clock, "limits", "100/1m rolling(1s)");
    assertEquals(40, admitted(t, request, 40));
    clock.set(T0.plusSeconds(40));
    assertEquals(60, admitted(t, request, 70));

    clock.set(T0.plusSeconds(70)); // the 40 from 0:10 left at 1:11 (bucket [10,11) + 1m)
    assertFalse(t.check(request).proceed());
    clock.set(T0.plusSeconds(71));
    assertEquals(40, admitted(t, request, 50), "only what was spent at 0:10 came back");
    clock.set(T0.plusSeconds(101));
    assertEquals(60, admitted(t, request, 70));
  }

  @Test
  void tokenBucketBurstsTheQuotaThenRefillsOneTokenPerInterval() {
    FakeClock clock = new FakeClock(T0.plusMillis(59_500));
    Tollgate t = engine(clock, "limits", "60/1m token-bucket");

    assertEquals(60, admitted(t, request, 60));
    Verdict rejected = t.check(request);
    assertFalse(rejected.proceed());
    assertEquals("1", header(rejected, "Retry-After"));

    clock.set(T0.plusMillis(60_000)); // across the minute boundary: nothing special happens
    assertFalse(t.check(request).proceed());
    clock.set(T0.plusMillis(60_499));
    assertFalse(t.check(request).proceed());
    clock.set(T0.plusMillis(60_500));
    assertEquals(1, admitted(t, request, 5), "one token per second");
    clock.advance(Duration.ofSeconds(10));
    assertEquals(10, admitted(t, request, 20));
    clock.advance(Duration.ofMinutes(5));
    assertEquals(60, admitted(t, request, 100), "the bucket never holds more than the quota");
  }

  @Test
  void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
    FakeClock clock = new FakeClock(T0.plusMillis(59_900));
    Tollgate t = engine(clock, "limits", "1/1m");
    assertTrue(t.check(request).proceed());
    assertEquals("1", header(t.check(request), "Retry-After"), "100 ms left");

    clock.set(T0.plusMillis(60_000 + 58_999));
    assertTrue(t.check(request).proceed());
    assertEquals("2", header(t.check(request), "Retry-After"), "1001 ms left");

    clock.set(T0.plusMillis(120_000 + 59_999));
    assertTrue(t.check(request).proceed());
    assertEquals("1", header(t.check(request), "Retry-After"), "1 ms left is never 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void retryAfterIsNeverEarlierThanTheMomentTheLimitAdmitsAgain(String algorithm) {
    FakeClock clock = new FakeClock(T0.plusMillis(12_345));
    Tollgate t = engine(clock, "limits", "10/1m " + algorithm);
    assertEquals(10, admitted(t, request, 10));
    for (int step = 0; step < 20; step++) {
      Verdict v = t.check(request);
      if (v.proceed()) {
        clock.advanceMillis(777);
        continue;
      }
      long retry = Long.parseLong(header(v, "Retry-After"));
      assertTrue(retry >= 1);
      long resumeAt = clock.millis() + retry * 1000;
      // At the announced time the limit must admit again (Retry-After is not too early).
      clock.setMillis(resumeAt);
      assertTrue(
          t.check(request).proceed(), algorithm + ": not admitted at the Retry-After it announced");
      clock.advanceMillis(777);
    }
  }

  // ---- quotas at quota - 1, quota and quota + 1
  // ----------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void theQuotaItselfIsAdmittedAndOneMoreIsNot(String algorithm) {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t = engine(clock, "limits", "7/1m " + algorithm, "headers.dialects", "github");
    assertEquals(5, admitted(t, request, 5));
    Verdict quotaMinusOne = t.check(request);
    assertTrue(quotaMinusOne.proceed(), algorithm);
    assertEquals("1", header(quotaMinusOne, "X-RateLimit-Remaining"), algorithm);
    assertEquals("6", header(quotaMinusOne, "X-RateLimit-Used"), algorithm);
    Verdict quota = t.check(request);
    assertTrue(quota.proceed(), algorithm + ": the 7th of 7 is admitted");
    assertEquals("0", header(quota, "X-RateLimit-Remaining"), algorithm);
    Verdict quotaPlusOne = t.check(request);
    assertFalse(quotaPlusOne.proceed(), algorithm + ": the 8th of 7 is rejected");
    assertEquals(429, quotaPlusOne.status());
    assertEquals("0", header(quotaPlusOne, "X-RateLimit-Remaining"), algorithm);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void aCostEqualToWhatIsLeftIsAdmittedAndOneMoreIsNot(String algorithm) {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t =
        engine(
            clock,
            "limits",
            "10/1m " + algorithm,
            "headers.dialects",
            "github",
            "rules.big.path",
            "/big",
            "rules.big.cost",
            "4");
    assertEquals(1, admitted(t, request, 1));
    assertEquals(2, admitted(t, TestRequest.get("/big"), 2), algorithm + ": 1 + 4 + 4 = 9 of 10");
    Verdict over = t.check(TestRequest.get("/big"));
    assertFalse(over.proceed(), algorithm + ": 4 more than the 1 left");
    assertEquals(
        "1",
        header(over, "X-RateLimit-Remaining"),
        algorithm + ": the rejected cost consumed nothing");
    Verdict exact = t.check(request);
    assertTrue(exact.proceed(), algorithm + ": a cost of 1 with 1 left");
    assertEquals("0", header(exact, "X-RateLimit-Remaining"));
  }

  @Test
  void tokenBucketRefillsExactlyAtTheIntervalNotAMillisecondBefore() {
    FakeClock clock = new FakeClock(T0);
    Tollgate t = engine(clock, "limits", "6/1m token-bucket"); // one token every 10 s
    assertEquals(6, admitted(t, request, 7));
    clock.set(T0.plusMillis(9_999));
    assertFalse(t.check(request).proceed());
    clock.set(T0.plusMillis(10_000));
    assertTrue(t.check(request).proceed());
    assertFalse(t.check(request).proceed());
  }

  @Test
  void rollingWindowBucketLeavesExactlyOneWindowAfterItsEnd() {
    FakeClock clock = new FakeClock(T0.plusMillis(10_500));
    Tollgate t = engine(clock, "limits", "3/1m rolling(1s)");
    assertEquals(3, admitted(t, request, 4)); // spent in the bucket [0:10, 0:11)
    clock.set(T0.plusMillis(70_999));
    assertFalse(
        t.check(request).proceed(), "the bucket [0:10, 0:11) is inside (1:10.999 - 1m, 1:10.999]");
    clock.set(T0.plusMillis(71_000));
    assertEquals(3, admitted(t, request, 4));
  }

  @Test
  void rollingWindowResetIsWhenTheOldestCountedBucketLeavesTheWindow() {
    FakeClock clock = new FakeClock(T0.plusMillis(10_500));
    Tollgate t = engine(clock, "limits", "10/1m rolling");
    assertEquals(
        "\"minute\";r=9;t=62",
        header(t.check(request), "RateLimit"),
        "bucket [0:10, 0:12) + 1m - 0:10.5");
    clock.set(T0.plusSeconds(30));
    assertEquals(
        "\"minute\";r=8;t=42", header(t.check(request), "RateLimit"), "still the bucket of 0:10");
  }

  @Test
  void tokenBucketResetIsTheNextTokenAndACostlyRetryWaitsForAllItsTokens() {
    FakeClock clock = new FakeClock(T0);
    Tollgate t =
        engine(
            clock, "limits", "6/1m token-bucket", "rules.big.path", "/big", "rules.big.cost", "3");
    assertEquals(
        "\"minute\";r=5;t=10", header(t.check(request), "RateLimit"), "one token every 10 s");
    clock.set(T0.plusSeconds(3));
    assertEquals("\"minute\";r=4;t=7", header(t.check(request), "RateLimit"));
    assertEquals(4, admitted(t, request, 4));
    Verdict costly = t.check(TestRequest.get("/big"));
    assertFalse(costly.proceed());
    assertEquals("27", header(costly, "Retry-After"), "three tokens: 7 s, then 10 s, then 10 s");
  }

  @Test
  void rollingWindowRetryForACostlyRequestWaitsUntilEnoughBucketsHaveLeft() {
    FakeClock clock = new FakeClock(T0.plusSeconds(10));
    Tollgate t =
        engine(clock, "limits", "4/1m rolling", "rules.big.path", "/big", "rules.big.cost", "3");
    assertEquals(2, admitted(t, request, 2)); // bucket [0:10, 0:12)
    clock.set(T0.plusSeconds(20));
    assertEquals(2, admitted(t, request, 2)); // bucket [0:20, 0:22)
    Verdict costly = t.check(TestRequest.get("/big"));
    assertFalse(costly.proceed());
    assertEquals(
        "62", header(costly, "Retry-After"), "3 units need both buckets gone: 0:22 + 1m - 0:20");
  }

  // ---- randomized property: admitted requests per window-long span
  // --------------------------------

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 42L, 2026L})
  void rollingWindowNeverAdmitsMoreThanTheQuotaInAnyWindowLongSpan(long seed) {
    List<Long> admittedAt = simulate("rolling", seed);
    assertEquals(
        0, violations(admittedAt, 60_000, 50), "spans with more than 50: see seed " + seed);
    assertTrue(
        admittedAt.size() >= 200,
        "the simulation must actually use the quota: " + admittedAt.size());
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 42L, 2026L})
  void fixedWindowNeverAdmitsMoreThanTwiceTheQuotaInAnyWindowLongSpan(long seed) {
    List<Long> admittedAt = simulate("fixed", seed);
    assertEquals(0, violations(admittedAt, 60_000, 100));
    assertTrue(
        maxInSpan(admittedAt, 60_000) > 50,
        "random traffic shows fixed windows exceed the quota in some span");
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 42L, 2026L})
  void tokenBucketNeverAdmitsMoreThanTwiceTheQuotaInAnyWindowLongSpan(long seed) {
    List<Long> admittedAt = simulate("token-bucket", seed);
    assertEquals(0, violations(admittedAt, 60_000, 100));
  }

  /** 3000 requests over 6 windows, clustered in bursts near boundaries, against 50/1m. */
  private List<Long> simulate(String algorithm, long seed) {
    Random random = new Random(seed);
    long start = T0.toEpochMilli() + random.nextInt(60_000);
    List<Long> times = new ArrayList<>();
    while (times.size() < 3000) {
      long burstAt = start + random.nextInt(6 * 60_000);
      if (random.nextBoolean()) {
        // near a minute boundary, where fixed windows are weakest
        burstAt = burstAt - Math.floorMod(burstAt, 60_000) + 60_000 - random.nextInt(3000);
      }
      int n = 1 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        times.add(burstAt + random.nextInt(2000));
      }
    }
    times.sort(null);
    FakeClock clock = new FakeClock(Instant.ofEpochMilli(times.get(0)));
    Tollgate t = engine(clock, "limits", "50/1m " + algorithm);
    TestRequest r = TestRequest.get("/x");
    List<Long> admitted = new ArrayList<>();
    for (long at : times) {
      clock.setMillis(at);
      if (t.check(r).proceed()) {
        admitted.add(at);
      }
    }
    return admitted;
  }

  /** The number of admitted timestamps that start a span [t, t + window) holding more than max. */
  private static int violations(List<Long> sorted, long window, int max) {
    int bad = 0;
    int j = 0;
    for (int i = 0; i < sorted.size(); i++) {
      while (j < sorted.size() && sorted.get(j) < sorted.get(i) + window) {
        j++;
      }
      if (j - i > max) {
        bad++;
      }
    }
    return bad;
  }

  private static int maxInSpan(List<Long> sorted, long window) {
    int best = 0;
    int j = 0;
    for (int i = 0; i < sorted.size(); i++) {
      while (j < sorted.size() && sorted.get(j) < sorted.get(i) + window) {
        j++;
      }
      best = Math.max(best, j - i);
    }
    return best;
  }
}
