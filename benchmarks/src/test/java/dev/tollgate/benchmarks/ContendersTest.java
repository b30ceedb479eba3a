package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves that the contenders do the same work: 100 per minute per key, decided without blocking.
 */
class ContendersTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"tollgate", "tollgate-2limits", "tollgate-engine", "bucket4j", "resilience4j"})
  void eachContenderAdmitsExactly100Of101CallsForOneKeyAndKeepsKeysApart(String name) {
    // Ours count in windows aligned to the clock's minute: a fixed clock keeps the test off a
    // boundary.
    try (Contender c = Contenders.create(name, Keys.create(2), () -> 1_700_000_000_000L)) {
      assertEquals(100, admitted(c, 0, 101), name + " for key 0");
      assertEquals(100, admitted(c, 1, 101), name + " for key 1, independent of key 0");
    }
  }

  @Test
  void tomcatAdmitsItsQuotaScaledToItsPowerOfTwoWindowAndNoMore() {
    try (Contenders.Tomcat c = (Contenders.Tomcat) Contenders.create("tomcat", Keys.create(1))) {
      // 60 s is rounded to 65.536 s and the quota scaled with it: 100 * 65.536 / 60 = 109.
      assertEquals(109, c.requests());
      // A window boundary may fall inside the loop: then the count restarts and all 110 pass.
      int admitted = admitted(c, 0, 110);
      assertTrue(admitted == 109 || admitted == 110, "admitted " + admitted);
    }
  }

  @Test
  void guavaAdmitsTheFirstCallThenSmoothsToOneCallPer600Millis() {
    try (Contender c = Contenders.create("guava", Keys.create(1))) {
      assertTrue(c.tryAcquire(0));
      // Guava stores no burst for a new limiter: the next permit is 600 ms away.
      assertFalse(c.tryAcquire(0));
    }
  }

  @Test
  void zipfDrawsFavourTheFirstKeysAndStayInRange() {
    int[] draws = Zipf.sample(1_000_000, 1.0, 100_000, 42);
    assertTrue(Arrays.stream(draws).allMatch(d -> d >= 0 && d < 1_000_000));
    long first = Arrays.stream(draws).filter(d -> d == 0).count();
    // P(key 0) = 1 / H(1e6) ~ 0.0695 for s = 1.
    assertTrue(first > 6_000 && first < 8_000, "key 0 drawn " + first + " times");
    assertEquals(
        Arrays.toString(Zipf.sample(1000, 1.0, 10, 7)),
        Arrays.toString(Zipf.sample(1000, 1.0, 10, 7)));
  }

  @Test
  void keysAreDistinctIpv4Addresses() {
    String[] keys = Keys.create(70_000);
    assertEquals("10.0.0.0", keys[0]);
    assertEquals("10.1.17.111", keys[69_999]);
    assertEquals(keys.length, Arrays.stream(keys).distinct().count());
  }

  private static int admitted(Contender c, int key, int calls) {
    int n = 0;
    for (int i = 0; i < calls; i++) {
      if (c.tryAcquire(key)) {
        n++;
      }
    }
    return n;
  }
}
