package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Counting.Responses;
import org.junit.jupiter.api.Test;

/**
 * Which responses a rule counts: the 400 boundary, and how a rule's counting reads in its status.
 */
class CountingTest {

  @Test
  void failedCountsFrom400AndSuccessfulBelowIt() {
    Counting failed = Counting.of(Responses.FAILED, false);
    assertFalse(failed.counts(399));
    assertTrue(failed.counts(400));
    assertTrue(failed.counts(503));

    Counting successful = Counting.of(Responses.SUCCESSFUL, false);
    assertTrue(successful.counts(200));
    assertTrue(successful.counts(399));
    assertFalse(successful.counts(400));

    assertTrue(Counting.ALL.counts(200));
    assertTrue(Counting.ALL.counts(500));
  }

  @Test
  void onlyCountingEveryResponseIsChargedOnAdmission() {
    assertFalse(Counting.ALL.requestsAfterResponse());
    assertTrue(Counting.of(Responses.FAILED, false).requestsAfterResponse());
    assertTrue(Counting.of(Responses.SUCCESSFUL, true).requestsAfterResponse());
    assertFalse(Counting.of(Responses.ALL, true).requestsAfterResponse());
  }

  @Test
  void ofKeepsWhatItWasGivenAndSharesThePlainDefault() {
    assertSame(Counting.ALL, Counting.of(Responses.ALL, false));
    Counting c = Counting.of(Responses.SUCCESSFUL, true);
    assertEquals(Responses.SUCCESSFUL, c.responses());
    assertTrue(c.refundServerErrors());
    assertEquals(Responses.FAILED, Counting.of(Responses.FAILED, false).responses());
    assertFalse(Counting.of(Responses.FAILED, false).refundServerErrors());
  }

  @Test
  void toStringReadsAsTheConfiguration() {
    assertEquals("count all", Counting.ALL.toString());
    assertEquals("count failed", Counting.of(Responses.FAILED, false).toString());
    assertEquals(
        "count successful, refund on server error",
        Counting.of(Responses.SUCCESSFUL, true).toString());
  }
}
