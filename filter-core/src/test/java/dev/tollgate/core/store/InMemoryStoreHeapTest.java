package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Limit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jol.info.GraphLayout;

/**
 * The README's promise "a flood of client keys cannot grow the heap" measured as heap: the bytes
 * reachable from the store (its entries, their keys and states, the client table and its sketch),
 * not only the number of entries.
 */
class InMemoryStoreHeapTest {

  static {
    // JOL reads field offsets through Unsafe on JDK 17+ only when told to (no agent attached).
    System.setProperty("jol.magicFieldOffset", "true");
  }

  private static final int BOUND = 10_000;
  private static final List<Limit> TWO_LIMITS =
      List.of(Limit.parse("100/1m"), Limit.parse("10000/24h rolling"));

  @Test
  @Timeout(120)
  @Tag("slow") // a million decisions and two heap walks: too slow to repeat for every mutant
  void aMillionDistinctKeysLeaveTheStoresHeapWhereTheBoundPutIt() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(BOUND, clock);
    flood(store, clock, 0, 2 * BOUND);
    long atBound = GraphLayout.parseInstance(store).totalSize();

    flood(store, clock, 2 * BOUND, 1_000_000);
    long afterMillion = GraphLayout.parseInstance(store).totalSize();

    // 50x more keys than at the first measurement: the heap stays where it was (10% for what
    // the table's resizing and sampling leave behind).
    assertTrue(
        afterMillion <= atBound + atBound / 10,
        "the store grew from " + atBound + " B to " + afterMillion + " B under a million keys");
    // And where it is is what the bound promises: at most 1 KB per tracked client with two limits,
    // the rolling window's buckets included, plus the table's fixed structures.
    long budget = BOUND * 1_024L + (1 << 20);
    assertTrue(afterMillion <= budget, "the store holds " + afterMillion + " B, budget " + budget);
  }

  private static void flood(InMemoryStore store, FakeClock clock, int from, int to) {
    for (int i = from; i < to; i++) {
      Bucket bucket = new Bucket("default", "flood-" + i, TWO_LIMITS, false);
      store.acquire(new AcquireRequest(List.of(bucket), 1));
      if (i % 1_000 == 0) {
        // Time passes, far less than a window, as between real requests.
        clock.advance(Duration.ofMillis(1));
      }
    }
  }
}
