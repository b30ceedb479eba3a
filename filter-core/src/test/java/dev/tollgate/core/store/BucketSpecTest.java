package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a rule's prepared bucket tells a store: which limits are charged after the response, and
 * what admission needs available from each for a request of a given cost.
 */
class BucketSpecTest {

  private static final Limit REQUESTS = Limit.parse("100/1m");
  private static final Limit TIME = Limit.parse("30s/1m time");

  @Test
  void aPlainRuleNeedsTheWholeCostFromEveryLimitAndChargesNothingAfterTheResponse() {
    BucketSpec spec = new BucketSpec("default", List.of(REQUESTS), true);
    assertEquals(5, spec.need(0, 5));
    assertFalse(spec.chargedAfterResponse(0));
    assertTrue(spec.countRejected());
    assertFalse(spec.requestsAfterResponse());
    assertEquals(List.of(REQUESTS), spec.limits());
    assertEquals("default", spec.rule());
  }

  @Test
  void aLimitChargedAfterTheResponseNeedsOneUnitWhateverTheCost() {
    BucketSpec spec = new BucketSpec("search", List.of(REQUESTS, TIME), false);
    assertEquals(5, spec.need(0, 5), "requests are consumed on admission");
    assertEquals(1, spec.need(1, 5), "a time budget not yet exhausted");
    assertEquals(0, spec.need(1, 0), "a report needs nothing");
    assertFalse(spec.chargedAfterResponse(0));
    assertTrue(spec.chargedAfterResponse(1));
    assertFalse(spec.countRejected());
  }

  @Test
  void requestsCountedByOutcomeAreChargedAfterTheResponseButNeedTheWholeCost() {
    BucketSpec spec = new BucketSpec("errors", List.of(REQUESTS, TIME), false, true);
    assertTrue(spec.requestsAfterResponse());
    assertTrue(spec.chargedAfterResponse(0));
    assertTrue(spec.chargedAfterResponse(1));
    assertEquals(5, spec.need(0, 5));
    assertEquals(1, spec.need(1, 5));
    Bucket bucket = spec.forClient("ip:x");
    assertEquals(new Bucket("errors", "ip:x", List.of(REQUESTS, TIME), false, true), bucket);
  }
}
