package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The clock may jump: backwards never grants a fresh quota nor locks out for longer than a window.
 */
class ClockJumpTest {

  /**
   * The engine under test: on the in-memory store's fast path here; {@link
   * ClockJumpThroughStoreInterfaceTest} runs every case again through the {@code RateLimitStore}
   * interface (the path of other stores and of the local fallback), where the limit states compute
   * reset and Retry-After themselves.
   */
  Tollgate engine(FakeClock clock, String... kv) {
    return Fixtures.engine(clock, kv);
  }

  private static final Instant T = Instant.parse("2026-11-22T18:00:30Z");
  private final TestRequest r = TestRequest.get("/x");

  @ParameterizedTest(name = "{0}, back {1} s")
  @CsvSource({
    "fixed, 3600",
    "fixed, 5",
    "fixed, 31",
    "rolling, 3600",
    "rolling, 5",
    "rolling, 31",
    "token-bucket, 3600",
    "token-bucket, 5",
    "token-bucket, 31"
  })
  void aBackwardsJumpGrantsNoFreshQuotaAndLocksOutForAtMostOneWindow(
      String algorithm, long backSeconds) {
    FakeClock clock = new FakeClock(T);
    Tollgate t = engine(clock, "limits", "10/1m " + algorithm);
    assertEquals(10, admitted(t, r, 10));

    clock.advance(Duration.ofSeconds(-backSeconds));
    Instant jumpedTo = clock.instant();
    Verdict v = t.check(r);
    assertFalse(v.proceed(), algorithm + ": a backwards jump must not grant a fresh quota");
    long retry = Long.parseLong(header(v, "Retry-After"));
    // One window: 60 s. A rolling window re-bases the spent quota into the bucket of the jumped-to
    // time, which it counts until that bucket's end plus one window, as it would without a jump:
    // its
    // 2 s precision step is the only addition, and only for it.
    long oneWindow = algorithm.equals("rolling") ? 60 + 2 : 60;
    assertTrue(
        retry >= 1 && retry <= oneWindow,
        algorithm + ": Retry-After " + retry + " s is longer than one window");
    if (algorithm.equals("rolling")) {
      long bucketEnd = (jumpedTo.toEpochMilli() / 2_000 + 1) * 2_000;
      assertEquals(
          (bucketEnd + 60_000 - jumpedTo.toEpochMilli() + 999) / 1000,
          retry,
          "the bucket's end plus one window");
    }

    clock.set(jumpedTo.plusSeconds(oneWindow));
    assertEquals(
        10,
        admitted(t, r, 20),
        algorithm + ": the whole quota is back " + oneWindow + " s after the jump");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void repeatedBackwardsJumpsNeverAddUp(String algorithm) {
    FakeClock clock = new FakeClock(T);
    Tollgate t = engine(clock, "limits", "10/1m " + algorithm);
    int total = 0;
    for (int i = 0; i < 10; i++) {
      total += admitted(t, r, 10);
      clock.advance(Duration.ofSeconds(-1));
    }
    // Ten seconds of backwards steps (18:00:20 to 18:00:30): no window-long span can see more than
    // 10.
    assertEquals(10, total, algorithm);
  }

  @ParameterizedTest
  @CsvSource({
    "fixed, 60",
    "rolling, 62",
    "token-bucket, 60",
    "fixed, 86400",
    "rolling, 86400",
    "token-bucket, 86400"
  })
  void aForwardsJumpBehavesLikeTimePassing(String algorithm, long forwardSeconds) {
    FakeClock clock = new FakeClock(T);
    Tollgate t = engine(clock, "limits", "10/1m " + algorithm);
    assertEquals(10, admitted(t, r, 10));
    clock.advance(Duration.ofSeconds(forwardSeconds));
    assertEquals(10, admitted(t, r, 20), algorithm);
    assertFalse(t.check(r).proceed());
  }

  /**
   * Each jump is judged on its own, so a jump back and forth again is worth at most what the
   * jumped-over time refills: nothing for windows (the jump stays inside the spent window; a
   * rolling window keeps its shifted buckets), and for a token bucket at most one token per
   * interval of the jump (20 s at 6 s per token: 4), because its backlog is capped at one window
   * when the clock goes back.
   */
  @ParameterizedTest
  @CsvSource({"fixed, 0", "rolling, 0", "token-bucket, 4"})
  void aJumpBackAndForwardAgainGrantsAtMostWhatTheJumpedOverTimeRefills(
      String algorithm, int atMost) {
    FakeClock clock = new FakeClock(T);
    Tollgate t = engine(clock, "limits", "10/1m " + algorithm);
    assertEquals(10, admitted(t, r, 10));
    clock.advance(Duration.ofSeconds(-20)); // 18:00:10
    assertEquals(0, admitted(t, r, 10));
    clock.set(T.plusSeconds(5)); // 18:00:35, back in the window the quota was spent in
    int again = admitted(t, r, 10);
    assertTrue(
        again <= atMost,
        algorithm + ": " + again + " admitted after jumping back 20 s and forward again");
  }
}
