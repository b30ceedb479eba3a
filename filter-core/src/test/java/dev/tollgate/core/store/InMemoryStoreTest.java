package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Limit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The in-memory store: bounded, idle states dropped, counts kept across a quota change. */
class InMemoryStoreTest {

  private static final List<Limit> HOURLY = List.of(Limit.of(10_000, Duration.ofHours(1)));

  private static AcquireResult acquire(
      InMemoryStore store, String client, List<Limit> limits, int cost) {
    return store.acquire(
        new AcquireRequest(List.of(new Bucket("default", client, limits, false)), cost));
  }

  @Test
  @Timeout(60)
  @Tag("slow") // seconds per run: too slow to repeat for every mutant
  void aMillionDistinctKeysNeverExceedTheBoundAndAnHonestClientKeepsItsCount() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10_000, clock);
    long lastRemaining = Long.MAX_VALUE;
    int honestCalls = 0;
    long maxSeen = 0;
    for (int i = 0; i < 1_000_000; i++) {
      assertTrue(acquire(store, "flood-" + i, HOURLY, 1).admitted());
      if (i % 1_000 == 0) {
        AcquireResult honest = acquire(store, "honest", HOURLY, 1);
        honestCalls++;
        assertTrue(honest.admitted());
        long remaining = honest.usages().get(0).remaining();
        assertTrue(
            remaining < lastRemaining,
            "the honest client was reset by the flood at insert "
                + i
                + ": remaining "
                + remaining
                + " after "
                + lastRemaining);
        lastRemaining = remaining;
        clock.advanceMillis(1); // time passes, far less than a window
      }
      if (i % 10_000 == 0) {
        long tracked = store.trackedClients();
        maxSeen = Math.max(maxSeen, tracked);
        assertTrue(tracked <= 10_000, "tracking " + tracked + " states at insert " + i);
      }
    }
    assertTrue(store.trackedClients() <= 10_000);
    assertTrue(maxSeen > 5_000, "the bound was actually reached: " + maxSeen);
    assertEquals(
        10_000 - honestCalls, lastRemaining, "every honest call was counted, none was forgotten");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void anIdleClientsStateIsDroppedOnceItsWindowsHavePassed(String algorithm) {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    List<Limit> limits =
        List.of(Limit.parse("10/1m " + algorithm), Limit.parse("100/10m " + algorithm));
    for (int c = 0; c < 50; c++) {
      acquire(store, "client-" + c, limits, 1);
    }
    assertEquals(50, store.trackedClients());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(50, store.trackedClients(), "still inside the 10-minute window");
    acquire(store, "client-0", limits, 1); // client-0 stays active
    clock.advance(Duration.ofMinutes(5).plusSeconds(30)); // 10m30s since the others' last call
    assertEquals(
        1, store.trackedClients(), "only the client that called within its longest window is kept");
    clock.advance(Duration.ofMinutes(6));
    assertEquals(0, store.trackedClients());
  }

  @Test
  void aDroppedClientStartsFreshAndAKeptOneDoesNot() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    List<Limit> limits = List.of(Limit.of(5, Duration.ofMinutes(1), Algorithm.ROLLING_WINDOW));
    for (int i = 0; i < 5; i++) {
      acquire(store, "a", limits, 1);
    }
    assertFalse(acquire(store, "a", limits, 1).admitted());
    clock.advance(Duration.ofSeconds(59));
    assertFalse(acquire(store, "a", limits, 1).admitted(), "not idle long enough to be forgotten");
    assertEquals(1, store.trackedClients());
    clock.advance(Duration.ofSeconds(63)); // window 60 s + precision 2 s since the last call
    assertEquals(0, store.trackedClients());
    assertEquals(4, acquire(store, "a", limits, 1).usages().get(0).remaining(), "a fresh state");
  }

  // ---- reload: a quota change keeps each client's usage
  // ------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling"})
  void aClientKeepsItsCountWhenOnlyTheQuotaChanges(String algorithm) {
    assertKeepsCountAcrossQuotaChange(algorithm);
  }

  /**
   * The token bucket keeps its backlog as time (window / quota per token), so it must be rescaled.
   */
  @Test
  void aTokenBucketClientKeepsItsCountWhenOnlyTheQuotaChanges() {
    assertKeepsCountAcrossQuotaChange("token-bucket");
  }

  private static void assertKeepsCountAcrossQuotaChange(String algorithm) {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    Limit before = Limit.parse("100/1h " + algorithm);
    Limit after = before.withQuota(200);
    assertEquals(before.stateId(), after.stateId());
    for (int i = 0; i < 80; i++) {
      assertTrue(acquire(store, "c", List.of(before), 1).admitted());
    }
    LimitUsage u = acquire(store, "c", List.of(after), 0).usages().get(0);
    assertEquals(200, u.limit().quota());
    assertEquals(
        120,
        u.remaining(),
        algorithm + ": a client at 80 of 100 stays at 80 used when the quota becomes 200");
    assertEquals(80, u.used());
    assertEquals(
        120,
        countAdmitted(store, "c", List.of(after), 500),
        "exactly the rest of the larger quota");
  }

  @Test
  void aLowerQuotaAppliesToWhatWasAlreadyUsed() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    Limit before = Limit.of(100, Duration.ofHours(1));
    for (int i = 0; i < 80; i++) {
      acquire(store, "c", List.of(before), 1);
    }
    AcquireResult r = acquire(store, "c", List.of(before.withQuota(50)), 1);
    assertFalse(r.admitted());
    assertEquals(0, r.usages().get(0).remaining());
  }

  @Test
  void limitsAreMatchedByStateIdNotByPositionAndANewWindowStartsFresh() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    Limit minute = Limit.of(100, Duration.ofMinutes(1));
    Limit hour = Limit.of(1000, Duration.ofHours(1));
    for (int i = 0; i < 30; i++) {
      acquire(store, "c", List.of(minute, hour), 1);
    }
    Limit day = Limit.of(5000, Duration.ofDays(1));
    List<LimitUsage> u =
        acquire(store, "c", List.of(hour.withQuota(2000), day, minute), 0).usages();
    assertEquals(1970, u.get(0).remaining(), "the hour kept its 30");
    assertEquals(5000, u.get(1).remaining(), "a new window has no usage");
    assertEquals(70, u.get(2).remaining(), "the minute kept its 30 in its new position");
  }

  @Test
  void aCostOfZeroOnlyReports() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    acquire(store, "c", HOURLY, 3);
    for (int i = 0; i < 5; i++) {
      AcquireResult r = acquire(store, "c", HOURLY, 0);
      assertTrue(r.admitted());
      assertEquals(9_997, r.usages().get(0).remaining());
    }
  }

  @Test
  void rulesNeverShareCountsForTheSameClient() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Limit> two = List.of(Limit.of(2, Duration.ofMinutes(1)));
    store.acquire(new AcquireRequest(List.of(new Bucket("a", "c", two, false)), 2));
    AcquireResult other =
        store.acquire(new AcquireRequest(List.of(new Bucket("b", "c", two, false)), 1));
    assertTrue(other.admitted());
    assertEquals(1, other.usages().get(0).remaining());
    assertEquals(2, store.trackedClients());
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> InMemoryStore.create(0, FakeClock.at1800()));
    assertThrows(IllegalArgumentException.class, () -> new AcquireRequest(List.of(), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AcquireRequest(List.of(new Bucket("d", "c", HOURLY, false)), -1));
    assertThrows(IllegalArgumentException.class, () -> new Bucket("d", "c", List.of(), false));
  }

  @Test
  void aTokenBucketRegainsNothingWhenItsQuotaGoesDownAndUpAgain() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    Limit large = Limit.parse("150/1m token-bucket");
    Limit small = large.withQuota(100);
    assertEquals(150, countAdmitted(store, "c", List.of(large), 500));
    for (int i = 0; i < 5; i++) {
      assertFalse(acquire(store, "c", List.of(small), 1).admitted(), "round " + i + " at 100");
      assertFalse(acquire(store, "c", List.of(large), 1).admitted(), "round " + i + " back at 150");
    }
    assertEquals(0, acquire(store, "c", List.of(large), 0).usages().get(0).remaining());
    clock.advance(Duration.ofSeconds(61));
    assertEquals(
        150,
        countAdmitted(store, "c", List.of(large), 500),
        "a full bucket again after one window");
  }

  private static int countAdmitted(InMemoryStore store, String client, List<Limit> limits, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      if (acquire(store, client, limits, 1).admitted()) {
        ok++;
      }
    }
    return ok;
  }
}
