package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The entry's lock word (held, retired, the stamps of reads without the lock), and when a decision
 * tells the client table of a visit: enough for the frequency sketch to rank a busy client above
 * one-off keys, rarely enough to cost nothing on a hot key.
 */
class ClientEntryTest {

  @Test
  void theFirstReadOfEveryMillisecondIsRecorded() {
    ClientEntry entry = new ClientEntry("a");
    assertTrue(entry.readToRecord(1_000, true));
    assertFalse(entry.readToRecord(1_000, true));
    assertFalse(entry.readToRecord(1_000, true));
    assertTrue(entry.readToRecord(1_001, true));
    assertTrue(entry.readToRecord(999, true), "a clock going back is another millisecond too");
  }

  /**
   * A look-up in the table is told to the table every time, as a cache hears of every read: on a
   * clock that stands still (or many calls within a millisecond) a client found in the table is
   * still counted as seen again, which its recent slot alone would not tell.
   */
  @Test
  void aDecisionOnAnEntryLookedUpInTheTableIsAlwaysRecorded() {
    ClientEntry entry = new ClientEntry("a");
    assertTrue(entry.readToRecord(7, false));
    assertTrue(entry.readToRecord(7, false), "again, in the same millisecond");
    assertFalse(entry.readToRecord(7, true), "found in its slot: once a millisecond");
    assertTrue(entry.readToRecord(8, true));
  }

  @Test
  void aStampIsGivenOnlyAfterARejectionAndOnlyWhileTheEntryIsFree() {
    ClientEntry entry = new ClientEntry("a");
    assertEquals(-1, entry.stampIfRejecting(), "no decision yet");
    entry.lock();
    entry.unlock(false);
    assertEquals(-1, entry.stampIfRejecting(), "the last decision admitted");
    entry.lock();
    entry.unlock(true);
    assertTrue(entry.stampIfRejecting() != -1, "the last decision rejected");
    entry.lock();
    assertEquals(-1, entry.stampIfRejecting(), "held");
    entry.unlock();
    assertTrue(entry.stampIfRejecting() != -1, "a release that decided nothing keeps the hint");
    entry.lock();
    entry.retire();
    entry.unlock();
    assertEquals(-1, entry.stampIfRejecting(), "retired");
  }

  @Test
  void aStampIsValidUntilTheLockIsTakenEvenIfTheWordLooksTheSameAfterwards() {
    ClientEntry entry = new ClientEntry("a");
    entry.lock();
    entry.unlock(true);
    int stamp = entry.stampIfRejecting();
    assertTrue(entry.unchangedSince(stamp));
    assertTrue(entry.unchangedSince(stamp), "reading changes nothing");

    entry.lock();
    assertFalse(entry.unchangedSince(stamp), "held");
    entry.unlock(true); // the flags as they were: a writer came and went
    assertFalse(entry.unchangedSince(stamp), "released");
    int next = entry.stampIfRejecting();
    assertTrue(entry.unchangedSince(next));
    entry.lock();
    entry.unlock();
    assertFalse(entry.unchangedSince(next), "a release without a decision");
  }

  @Test
  void aLookUpWithoutTheLockPassesOverARuleStateNotSeenWrittenYet() throws Exception {
    ClientEntry entry = new ClientEntry("a");
    BucketSpec spec = new BucketSpec("r", List.of(Limit.of(5, Duration.ofMinutes(1))), false);
    entry.state(spec, 0);
    // What a reader without the lock may see of an array just grown by another thread.
    var others = ClientEntry.class.getDeclaredField("others");
    others.setAccessible(true);
    others.set(entry, new RuleState[1]);
    assertEquals(null, entry.existing("other"));
    assertTrue(entry.existing("r") != null);
  }

  @Test
  void retiringKeepsTheLockUsableAndIsSeenByTheNextHolder() {
    ClientEntry entry = new ClientEntry("a");
    entry.lock();
    assertFalse(entry.retired());
    entry.retire();
    assertTrue(entry.retired());
    entry.unlock();
    entry.lock(); // a retired entry can still be locked, by the slow path
    assertTrue(entry.retired(), "retired stays set across unlock and lock");
    entry.unlock();
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void theLockExcludesOtherThreads() throws InterruptedException {
    ClientEntry entry = new ClientEntry("a");
    long[] counter = new long[1];
    CountDownLatch start = new CountDownLatch(1);
    int perThread = 1_000_000;
    Runnable add =
        () -> {
          try {
            start.await(); // all at once, so that they contend
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < perThread; i++) {
            entry.lock();
            counter[0]++; // a lost update shows a second holder
            entry.unlock();
          }
        };
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(add);
      threads[t].start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    entry.lock();
    assertEquals(4L * perThread, counter[0]);
    entry.unlock();
  }

  @Test
  void aRuleStateIsIdleOnceItsLongestWindowHasPassed() {
    RuleState state =
        new RuleState(
            "r", List.of(Limit.of(5, Duration.ofSeconds(1)), Limit.parse("9/1m rolling(2s)")));
    state.lastUsed = 10_000;
    assertFalse(state.idleAt(71_999), "a rolling minute counts for 60 s + its 2 s precision");
    assertTrue(state.idleAt(72_000));
    assertFalse(state.idleAt(5_000), "a clock gone back makes it look recent");
    assertEquals(
        367 * 86_400,
        RuleState.idleSeconds(List.of(Limit.parse("9/366d rolling(1d)"))),
        "the longest window there can be fits");
  }

  /**
   * The entry holds its first rule in its own fields: when that rule goes idle while others are
   * still counted, the slot is emptied (its counts would be fresh anyway) and the next new rule
   * takes it; the entry can go only once no rule is left.
   */
  @Test
  void theRuleHeldInTheEntryGoesIdleAndItsSlotIsTakenAgain() {
    ClientEntry entry = new ClientEntry("a");
    BucketSpec minute =
        new BucketSpec("minute", List.of(Limit.of(5, Duration.ofMinutes(1))), false);
    BucketSpec hour = new BucketSpec("hour", List.of(Limit.of(5, Duration.ofHours(1))), false);
    BucketSpec day = new BucketSpec("day", List.of(Limit.of(5, Duration.ofDays(1))), false);
    assertTrue(entry.state(minute, 0) == entry, "the first rule is counted in the entry itself");
    RuleState hourly = entry.state(hour, 0);
    assertFalse(hourly == entry);
    entry.state(minute, 0).lastUsed = 0;
    hourly.lastUsed = 0;
    assertEquals(2, entry.size());

    assertFalse(entry.dropIdle(60_000), "the hourly rule is still counted");
    assertEquals(1, entry.size());
    assertTrue(entry.at(0) == hourly);
    assertEquals(null, entry.existing("minute"));

    RuleState daily = entry.state(day, 60_000);
    assertTrue(daily == entry, "the emptied slot is taken by the next new rule");
    daily.lastUsed = 60_000;
    assertEquals(2, entry.size());
    assertTrue(entry.at(0) == entry && entry.at(1) == hourly);
    assertTrue(entry.existing("day") == entry && entry.existing("hour") == hourly);

    assertFalse(entry.dropIdle(3_600_000), "the daily rule is still counted");
    assertEquals(1, entry.size());
    assertTrue(entry.at(0) == entry);
    assertTrue(entry.dropIdle(60_000 + 86_400_000), "nothing is left");
    assertEquals(0, entry.size());
  }

  @Test
  void anIdleRuleAmongTheOthersGoesAndTheRestStay() {
    ClientEntry entry = new ClientEntry("a");
    BucketSpec day = new BucketSpec("day", List.of(Limit.of(5, Duration.ofDays(1))), false);
    BucketSpec minute =
        new BucketSpec("minute", List.of(Limit.of(5, Duration.ofMinutes(1))), false);
    BucketSpec hour = new BucketSpec("hour", List.of(Limit.of(5, Duration.ofHours(1))), false);
    for (BucketSpec spec : List.of(day, minute, hour)) {
      entry.state(spec, 0).lastUsed = 0;
    }
    assertFalse(entry.dropIdle(60_000));
    assertEquals(2, entry.size());
    assertEquals(null, entry.existing("minute"));
    assertTrue(entry.existing("hour") != null && entry.existing("day") == entry);
  }
}
