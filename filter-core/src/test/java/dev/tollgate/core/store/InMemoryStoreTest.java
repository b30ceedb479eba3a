package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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
    assertThrows(
        IllegalArgumentException.class,
        () -> InMemoryStore.create(InMemoryStore.MAX_CLIENTS + 1, FakeClock.at1800()));
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

  @Test
  void aStoreOfOneClientIsAllowed() {
    InMemoryStore store = InMemoryStore.create(1, FakeClock.at1800());
    assertEquals(1, store.maxClients());
    assertTrue(store.charges(), "the in-memory store charges after the response");
    assertTrue(acquire(store, "c", HOURLY, 1).admitted());
  }

  @Test
  void aRequestOfSeveralClientsCountsEachUnderItsOwnKey() {
    InMemoryStore store = InMemoryStore.create(10, FakeClock.at1800());
    List<Limit> three = List.of(Limit.of(3, Duration.ofMinutes(1)));
    List<Bucket> both =
        List.of(
            new Bucket("user", "user:alice", three, false), new Bucket("ip", "ip:x", three, false));
    assertEquals(2, new AcquireRequest(both, 1).limitCount());
    for (int i = 0; i < 3; i++) {
      AcquireResult r = store.acquire(new AcquireRequest(both, 1));
      assertTrue(r.admitted(), "call " + i);
      assertEquals(2 - i, r.usages().get(1).remaining());
    }
    assertFalse(store.acquire(new AcquireRequest(both, 1)).admitted());
    AcquireResult ipAlone =
        store.acquire(new AcquireRequest(List.of(new Bucket("ip", "ip:x", three, false)), 0));
    assertEquals(0, ipAlone.usages().get(0).remaining(), "the ip rule counted under ip:x");
    AcquireResult userUnderIp =
        store.acquire(new AcquireRequest(List.of(new Bucket("user", "ip:x", three, false)), 0));
    assertEquals(3, userUnderIp.usages().get(0).remaining(), "nothing of the user rule under ip:x");
    assertEquals(3, store.trackedClients());
  }

  /**
   * A request of more new clients than the bound can hold at once: each lookup of one evicts the
   * other, and the request must still be decided (and charged) rather than look them up forever.
   */
  @Test
  // A request that looks its clients up forever ignores interrupts.
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aRequestOfMoreClientsThanTheBoundIsStillDecided() {
    InMemoryStore store = InMemoryStore.create(1, FakeClock.at1800());
    List<Limit> three = List.of(Limit.of(3, Duration.ofMinutes(1)));
    List<Bucket> both =
        List.of(
            new Bucket("user", "user:alice", three, false), new Bucket("ip", "ip:x", three, false));
    AcquireResult r = store.acquire(new AcquireRequest(both, 1));
    assertTrue(r.admitted());
    assertEquals(2, r.usages().get(0).remaining());
    store.charge(new ChargeRequest(both, new long[] {1, 1}, r.nowMillis()));
    assertTrue(store.trackedClients() <= 1, "the bound holds");
  }

  @Test
  void chargesThroughTheStoreInterfaceReachEachBucketsClient() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Limit> ten = List.of(Limit.of(10, Duration.ofMinutes(1)));
    List<Bucket> buckets =
        List.of(
            new Bucket("a", "user:alice", ten, false),
            new Bucket("b", "user:alice", ten, false),
            new Bucket("c", "ip:x", ten, false));
    AcquireResult admitted = store.acquire(new AcquireRequest(buckets, 1));
    store.charge(new ChargeRequest(buckets, new long[] {2, 0, -1}, admitted.nowMillis()));
    List<LimitUsage> u = store.acquire(new AcquireRequest(buckets, 0)).usages();
    assertEquals(List.of(7L, 9L, 10L), u.stream().map(LimitUsage::remaining).toList());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ChargeRequest(buckets, new long[] {1, 1}, admitted.nowMillis()),
        "an amount for every limit");
  }

  @Test
  void aStoreThatDoesNotChargeSaysSo() {
    RateLimitStore admissionOnly = InMemoryStore.create(10, FakeClock.at1800())::acquire;
    assertFalse(admissionOnly.charges());
  }

  @Test
  void aCostAboveOneNeedsOnlyOneUnitLeftInABudgetChargedAfterTheResponse() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Bucket> time = List.of(new Bucket("d", "c", List.of(Limit.parse("30s/1m time")), false));
    AcquireResult first = store.acquire(new AcquireRequest(time, 1));
    store.charge(new ChargeRequest(time, new long[] {29_997}, first.nowMillis()));
    AcquireResult r = store.acquire(new AcquireRequest(time, 5));
    assertTrue(r.admitted(), "3 ms left: the budget is not exhausted");
    assertEquals(3, r.usages().get(0).remaining(), "admission took nothing");
    assertFalse(r.usages().get(0).rejected());
  }

  @Test
  void aReportNeverTouchesATokenBucketEvenWhenTheClockThenGoesBack() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofMinutes(5));
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Limit> bucket = List.of(Limit.parse("6/1m token-bucket"));
    assertEquals(6, acquire(store, "c", bucket, 0).usages().get(0).remaining());
    clock.advance(Duration.ofSeconds(-30));
    LimitUsage u = acquire(store, "c", bucket, 0).usages().get(0);
    assertEquals(6, u.remaining(), "nothing was taken, so nothing is owed after the jump");
    assertEquals(0, u.resetMillis());
  }

  @Test
  void aClientOfThreeRulesKeepsEachRulesCountAcrossAReload() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Limit> ten = List.of(Limit.of(10, Duration.ofMinutes(1)));
    for (int reload = 0; reload < 2; reload++) {
      for (int r = 0; r < 3; r++) {
        // A reload parses the rule names anew: equal names, other strings.
        String rule = String.valueOf(new char[] {(char) ('a' + r)});
        for (int i = 0; i <= r; i++) {
          store.acquire(new AcquireRequest(List.of(new Bucket(rule, "c", ten, false)), 1));
        }
      }
    }
    for (int r = 0; r < 3; r++) {
      String rule = String.valueOf((char) ('a' + r));
      AcquireResult u =
          store.acquire(new AcquireRequest(List.of(new Bucket(rule, "c", ten, false)), 0));
      assertEquals(10 - 2 * (r + 1), u.usages().get(0).remaining(), "rule " + rule);
    }
    assertEquals(3, store.trackedClients());
  }

  @Test
  void aStateIdleForExactlyItsWindowIsDropped() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(10, clock);
    acquire(store, "c", List.of(Limit.of(5, Duration.ofMinutes(1))), 1);
    clock.advanceMillis(59_999);
    assertEquals(1, store.trackedClients());
    clock.advanceMillis(1);
    assertEquals(0, store.trackedClients(), "a window after the last call it equals a fresh one");
  }

  @Test
  void aChargeOfNothingLeavesNoStateBehind() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Bucket> buckets = List.of(new Bucket("d", "c", HOURLY, false));
    store.charge(new ChargeRequest(buckets, new long[] {0}, clock.millis()));
    assertEquals(0, store.trackedClients());
    assertEquals(9_999, store.acquire(new AcquireRequest(buckets, 1)).usages().get(0).remaining());
  }

  @Test
  void heaviestClientsAreTheTopUsersNowEachByItsFullestLimit() {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(5));
    InMemoryStore store = InMemoryStore.create(10, clock);
    Limit minute = Limit.of(10, Duration.ofMinutes(1));
    Limit day = Limit.of(100, Duration.ofDays(1));
    List<Limit> both = List.of(day, minute);
    for (int c = 1; c <= 3; c++) {
      for (int i = 0; i < c; i++) {
        acquire(store, "c" + c, both, 1);
      }
    }
    acquire(store, "reader", both, 0);
    List<ClientUsage> top = store.heaviestClients(2);
    assertEquals(List.of("c3", "c2"), top.stream().map(ClientUsage::client).toList());
    assertEquals(minute, top.get(0).limit(), "3 of 10 a minute is fuller than 3 of 100 a day");
    assertEquals(3, top.get(0).used());
    assertTrue(acquire(store, "c3", both, 1).admitted(), "the clients still decide afterwards");

    clock.advance(Duration.ofMinutes(1));
    top = store.heaviestClients(5);
    assertEquals(
        List.of("c3", "c2", "c1"),
        top.stream().map(ClientUsage::client).toList(),
        "the minute has passed; the day is what is left, and the reader used nothing");
    assertEquals(day, top.get(0).limit());
    assertEquals(4, top.get(0).used());
  }

  @Test
  void aClientPushedOutByTheBoundStartsFresh() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(1, clock);
    List<Limit> three = List.of(Limit.of(3, Duration.ofMinutes(1)));
    acquire(store, "a", three, 3);
    assertEquals(2, acquire(store, "b", three, 1).usages().get(0).remaining());
    assertEquals(1, acquire(store, "b", three, 1).usages().get(0).remaining());
    assertEquals(1, store.trackedClients());
    assertEquals(3, acquire(store, "a", three, 0).usages().get(0).remaining());
  }

  /**
   * The sweep for idle states runs in the background once a minute; what it dropped shows when the
   * clock then goes back into the dropped window: a kept state still holds its count there (see the
   * clock-jump tests), a dropped one starts fresh.
   */
  @Test
  void idleStatesAreDroppedInTheBackgroundOnceAMinute() {
    FakeClock clock = FakeClock.at1800();
    long t = clock.millis();
    InMemoryStore store = InMemoryStore.create(10, clock);
    List<Limit> second = List.of(Limit.of(1, Duration.ofSeconds(1)));
    assertTrue(acquire(store, "a", second, 1).admitted());

    clock.setMillis(t + 30_000); // "a" is idle, but no minute has passed since the first decision
    decideAndLetTheBackgroundFinish(store, "b", second);
    clock.setMillis(t + 500);
    assertFalse(acquire(store, "a", second, 1).admitted(), "not swept yet: the count is kept");

    clock.setMillis(t + 61_000);
    decideAndLetTheBackgroundFinish(store, "c", second);
    clock.setMillis(t + 700);
    assertTrue(acquire(store, "a", second, 1).admitted(), "swept a minute on: a fresh state");
  }

  // ---- the recent-entry shortcut in front of the cache
  // --------------------------------------------

  /**
   * A client's entry stays in the store's recent slots after the cache drops it; the next decision
   * must see it retired and use the cache's new entry, or the client would be counted on an entry
   * the store no longer tracks (and, once the cache creates another, on two).
   */
  @Test
  // A retired entry left in its slot would be looked up forever, in a loop that ignores interrupts.
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aClientDroppedWhileItsEntryIsRecentIsCountedOnTheCachesNewEntry() {
    FakeClock clock = FakeClock.at1800();
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    List<Limit> limits = List.of(Limit.of(10, Duration.ofMinutes(1)));
    assertEquals(9, acquire(store, "a", limits, 1).usages().get(0).remaining());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(0, store.trackedClients(), "idle for its window: dropped");

    assertEquals(9, acquire(store, "a", limits, 1).usages().get(0).remaining(), "a fresh state");
    assertEquals(8, acquire(store, "a", limits, 1).usages().get(0).remaining());
    assertEquals(1, store.trackedClients(), "the state that counts is the one the store tracks");
    List<ClientUsage> heaviest = store.heaviestClients(1);
    assertEquals(1, heaviest.size());
    assertEquals(2, heaviest.get(0).used());
  }

  @Test
  void recentSlotsAreAQuarterOfTheBoundRoundedUpToAPowerOfTwoFrom64To32768() {
    assertEquals(64, InMemoryStore.recentSlots(1));
    assertEquals(256, InMemoryStore.recentSlots(1_024));
    assertEquals(4_096, InMemoryStore.recentSlots(10_000));
    assertEquals(32_768, InMemoryStore.recentSlots(InMemoryStore.DEFAULT_MAX_CLIENTS));
    assertEquals(32_768, InMemoryStore.recentSlots(Long.MAX_VALUE));
  }

  @Test
  void aClientFoundInItsRecentSetKeepsItsPlaceAgainstTheNextKeyThatMissesThere() {
    InMemoryStore store = InMemoryStore.create(1_024, FakeClock.at1800());
    List<Limit> limits = List.of(Limit.of(100, Duration.ofMinutes(1)));
    String busy = "busy";
    List<String> others = new ArrayList<>();
    for (int i = 0; others.size() < 2; i++) {
      if (store.recentSetOf("k" + i) == store.recentSetOf(busy)) {
        others.add("k" + i);
      }
    }
    String first = others.get(0);
    String second = others.get(1);
    acquire(store, busy, limits, 1); // takes a slot of the pair
    acquire(store, busy, limits, 1); // found there
    acquire(store, first, limits, 1); // takes the other, empty slot
    assertTrue(store.isRecent(busy));
    assertTrue(store.isRecent(first), "two clients of a set are both kept");
    acquire(store, second, limits, 1); // misses: the busy client had a second chance, first not
    assertTrue(store.isRecent(busy));
    assertFalse(store.isRecent(first));
    assertTrue(store.isRecent(second));
    acquire(store, first, limits, 1); // misses again, the busy client not found since: taken
    assertFalse(store.isRecent(busy));
    assertTrue(store.isRecent(first));
    assertTrue(store.isRecent(second));
    assertEquals(97, acquire(store, busy, limits, 1).usages().get(0).remaining());
    assertEquals(97, acquire(store, first, limits, 1).usages().get(0).remaining());
    assertEquals(98, acquire(store, second, limits, 1).usages().get(0).remaining());
  }

  @Test
  void clientsSpreadOverTheRecentSets() {
    // 64 slots, 32 pairs: keys that differ in their last characters (consecutive String hashes)
    // must land in many sets, or every client but two would pay the table's hash and probe.
    InMemoryStore store = InMemoryStore.create(256, FakeClock.at1800());
    List<Limit> limits = List.of(Limit.of(100, Duration.ofMinutes(1)));
    Set<Integer> sets = new HashSet<>();
    int recent = 0;
    for (int i = 0; i < 16; i++) {
      String client = "client-" + i;
      sets.add(store.recentSetOf(client));
      acquire(store, client, limits, 1);
    }
    for (int i = 0; i < 16; i++) {
      if (store.isRecent("client-" + i)) {
        recent++;
      }
    }
    assertTrue(sets.size() >= 10, "16 keys in " + sets.size() + " sets");
    assertTrue(recent >= 14, recent + " of 16 clients recent");
    for (int set : sets) {
      assertEquals(0, set % 2, "a set starts at an even slot");
      assertTrue(set >= 0 && set <= 62, "set " + set + " inside the 64 slots");
    }
  }

  @Test
  void aChargeOfAClientInItsRecentSetLeavesTheOtherSlotAlone() {
    InMemoryStore store = InMemoryStore.create(1_024, FakeClock.at1800());
    List<Limit> limits = List.of(Limit.of(100, Duration.ofMinutes(1)));
    String busy = "busy";
    String other = null;
    for (int i = 0; other == null; i++) {
      if (store.recentSetOf("k" + i) == store.recentSetOf(busy)) {
        other = "k" + i;
      }
    }
    acquire(store, busy, limits, 1);
    AcquireResult r = acquire(store, busy, limits, 1); // found: marked
    acquire(store, other, limits, 1); // the pair's other slot
    // A charge looks every client up in the table: a copy of the busy client's entry in the other
    // slot would push the other client out.
    store.charge(
        new ChargeRequest(
            List.of(new Bucket("default", busy, limits, false)), new long[] {1}, r.nowMillis()));
    assertTrue(store.isRecent(busy));
    assertTrue(store.isRecent(other));
  }

  private static void decideAndLetTheBackgroundFinish(
      InMemoryStore store, String client, List<Limit> limits) {
    acquire(store, client, limits, 1);
    assertTrue(ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS));
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
