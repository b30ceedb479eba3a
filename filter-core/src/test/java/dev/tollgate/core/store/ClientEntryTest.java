package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When a decision that found its entry without the cache tells the cache of a read: enough for the
 * frequency sketch to rank a busy client above one-off keys, rarely enough to skip its read path.
 */
class ClientEntryTest {

  @Test
  void theFirstReadOfEveryMillisecondIsRecorded() {
    ClientEntry entry = new ClientEntry("a");
    assertTrue(entry.readToRecord(1_000, true));
    assertFalse(entry.readToRecord(1_000, true));
    assertTrue(entry.readToRecord(1_001, true));
    assertTrue(entry.readToRecord(999, true), "a clock going back is another millisecond too");
  }

  @Test
  void withinOneMillisecondEverySixteenthReadIsRecorded() {
    ClientEntry entry = new ClientEntry("a");
    assertTrue(entry.readToRecord(5, true));
    for (int round = 0; round < 3; round++) {
      for (int i = 1; i < ClientEntry.READS_PER_RECORD; i++) {
        assertFalse(entry.readToRecord(5, true), "read " + i + " of round " + round);
      }
      assertTrue(entry.readToRecord(5, true), "read " + ClientEntry.READS_PER_RECORD);
    }
  }

  @Test
  void aReadThroughTheCacheIsNotRecordedAgainAndRestartsTheCount() {
    ClientEntry entry = new ClientEntry("a");
    assertFalse(entry.readToRecord(7, false), "the cache heard of it already");
    for (int i = 1; i < ClientEntry.READS_PER_RECORD; i++) {
      assertFalse(entry.readToRecord(7, true));
    }
    assertTrue(entry.readToRecord(7, true));
    for (int i = 1; i < ClientEntry.READS_PER_RECORD - 1; i++) {
      assertFalse(entry.readToRecord(7, true));
    }
    assertFalse(entry.readToRecord(7, false));
    assertFalse(entry.readToRecord(7, true), "counting starts again after the cache's read");
  }
}
