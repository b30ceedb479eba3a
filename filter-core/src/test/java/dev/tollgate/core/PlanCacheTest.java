package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The cache in front of a plan resolver, on a fake clock and a same-thread executor, so that expiry
 * and refresh are exact and a refresh has completed when the lookup that started it returns.
 */
class PlanCacheTest {

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T18:00:00Z"));
  private final Map<String, String> billing = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicBoolean broken = new AtomicBoolean();

  private final PlanResolver resolver =
      client -> {
        calls.incrementAndGet();
        if (broken.get()) {
          throw new java.sql.SQLTransientConnectionException("database unreachable");
        }
        return billing.get(client);
      };

  private PlanCache cache(long maxEntries) {
    return cache(maxEntries, Duration.ofMinutes(10), Duration.ofMinutes(1), Runnable::run);
  }

  /**
   * A hundred clients, answers kept ten minutes and refreshed after one, loads waited for {@code
   * timeout}.
   */
  private static Plans.CacheSettings settings(Duration timeout) {
    return new Plans.CacheSettings(100, Duration.ofMinutes(10), Duration.ofMinutes(1), timeout);
  }

  private PlanCache cache(long maxEntries, Duration ttl, Duration refresh, Executor loads) {
    return new PlanCache(
        resolver,
        new Plans.CacheSettings(maxEntries, ttl, refresh, Duration.ofSeconds(1)),
        clock,
        loads);
  }

  @Test
  void anAnswerIsAskedOnceThenServedFromTheCache() {
    billing.put("user:alice", "pro");
    PlanCache cache = cache(100);

    for (int i = 0; i < 10; i++) {
      assertEquals("pro", cache.lookup("user:alice"));
    }
    assertEquals(PlanCache.UNKNOWN, cache.lookup("user:bob"));
    assertEquals(PlanCache.UNKNOWN, cache.lookup("user:bob"));
    assertEquals(2, calls.get(), "one call per client, unknown clients included");
  }

  @Test
  void anAnswerOlderThanTheRefreshIntervalIsAskedAgainInTheBackground() {
    billing.put("user:alice", "free");
    PlanCache cache = cache(100);
    assertEquals("free", cache.lookup("user:alice"));

    billing.put("user:alice", "pro");
    clock.advance(Duration.ofSeconds(59));
    assertEquals("free", cache.lookup("user:alice"), "still fresh");
    clock.advance(Duration.ofSeconds(2));
    cache.lookup("user:alice"); // starts the refresh (here on the same thread)

    assertEquals("pro", cache.lookup("user:alice"));
    assertEquals(2, calls.get());
  }

  @Test
  void aRecentAnswerIsNeverServedPastItsRefreshAge() {
    billing.put("user:alice", "free");
    PlanCache cache = cache(100, Duration.ofMinutes(10), Duration.ofMillis(1_500), Runnable::run);
    assertEquals("free", cache.lookup("user:alice"));
    billing.put("user:alice", "pro");

    clock.advanceMillis(600); // from the front, put at 0 ms until 1,000
    assertEquals("free", cache.lookup("user:alice"));
    clock.advanceMillis(899); // from Caffeine, then in the front until 1,500 (not 2,499)
    assertEquals("free", cache.lookup("user:alice"), "fresh until 1,500 ms");
    clock.advanceMillis(2); // Caffeine refreshes once the age is over 1,500 ms, not at it
    cache.lookup("user:alice"); // starts the refresh (here on the same thread)

    assertEquals("pro", cache.lookup("user:alice"));
  }

  @Test
  void aBusyClientsAnswerIsServedForASecondWithoutCaffeinesBookkeeping() {
    AtomicInteger clockReads = new AtomicInteger();
    PlanCache cache =
        new PlanCache(
            resolver,
            settings(Duration.ofSeconds(1)),
            () -> {
              clockReads.incrementAndGet();
              return clock.millis();
            },
            Runnable::run);
    billing.put("user:alice", "pro");
    cache.lookup("user:alice");
    clockReads.set(0);

    for (int i = 0; i < 300; i++) { // 2.7 seconds
      assertEquals("pro", cache.lookup("user:alice"));
      clock.advanceMillis(9);
    }

    // One read per look-up is its own; Caffeine's reads (its ticker read at least once each) come
    // only once a second, so that a refresh is started and eviction sees the client in use.
    int caffeineReads = clockReads.get() - 300;
    assertTrue(caffeineReads >= 2 && caffeineReads < 20, caffeineReads + " more clock reads");
  }

  @Test
  void clientsWhoseKeysShareAHashGetTheirOwnPlans() {
    assertEquals("Aa".hashCode(), "BB".hashCode());
    billing.put("Aa", "pro");
    PlanCache cache = cache(100);

    for (int i = 0; i < 3; i++) {
      assertEquals("pro", cache.lookup("Aa"));
      assertEquals(PlanCache.UNKNOWN, cache.lookup("BB"));
    }
  }

  @Test
  void aFailedLookupIsNotServedAgainFromTheRecentAnswers() {
    AtomicBoolean reject = new AtomicBoolean(true);
    billing.put("user:alice", "pro");
    PlanCache cache =
        cache(
            100,
            Duration.ofMinutes(10),
            Duration.ofMinutes(1),
            task -> {
              if (reject.getAndSet(false)) {
                throw new java.util.concurrent.RejectedExecutionException("queue full");
              }
              task.run();
            });

    assertSame(PlanCache.FAILED, cache.lookup("user:alice"));
    assertEquals("pro", cache.lookup("user:alice"), "asked again at once, the clock unmoved");
  }

  @Test
  void anAnswerReadBeforeEverythingWasForgottenIsNotServedAfterwards() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    billing.put("user:alice", "free");
    PlanResolver slow =
        client -> {
          String plan = billing.get(client);
          if (calls.incrementAndGet() == 1) {
            asked.countDown();
            answer.await();
          }
          return plan;
        };
    PlanCache cache =
        new PlanCache(
            slow, settings(Duration.ofSeconds(10)), clock, task -> new Thread(task).start());
    AtomicReference<String> inFlight = new AtomicReference<>();
    Thread request = new Thread(() -> inFlight.set(cache.lookup("user:alice")));
    request.start();
    assertTrue(asked.await(10, TimeUnit.SECONDS));

    cache.invalidateAll(); // while the request waits for the resolver's first answer
    billing.put("user:alice", "pro");
    answer.countDown();
    request.join(10_000);

    assertEquals("free", inFlight.get(), "the request in flight is answered as it was asked");
    assertEquals("pro", cache.lookup("user:alice"), "the next one is asked again");
  }

  @Test
  void forgettingEveryAnswerForgetsTheRecentOnesToo() {
    billing.put("user:alice", "free");
    PlanCache cache = cache(100);
    cache.lookup("user:alice");
    cache.lookup("user:alice");
    billing.put("user:alice", "pro");

    cache.invalidateAll();

    assertEquals("pro", cache.lookup("user:alice"));
  }

  @Test
  void aFailedRefreshKeepsTheKnownPlanUntilItExpires() {
    billing.put("user:alice", "pro");
    PlanCache cache = cache(100);
    assertEquals("pro", cache.lookup("user:alice"));

    broken.set(true);
    clock.advance(Duration.ofMinutes(2));
    assertEquals("pro", cache.lookup("user:alice"));
    assertEquals("pro", cache.lookup("user:alice"));
    clock.advance(Duration.ofMinutes(9));

    assertSame(
        PlanCache.FAILED, cache.lookup("user:alice"), "expired 10 minutes after it was last known");
  }

  @Test
  void aFailureIsRememberedForAFewSecondsSoABrokenDatabaseIsNotAskedOnEveryRequest() {
    broken.set(true);
    PlanCache cache = cache(100);

    for (int i = 0; i < 20; i++) {
      assertSame(PlanCache.FAILED, cache.lookup("user:alice"));
    }
    assertEquals(1, calls.get());
    broken.set(false);
    billing.put("user:alice", "pro");
    clock.advanceMillis(PlanCache.FAILURE_BACKOFF_MILLIS);

    assertEquals("pro", cache.lookup("user:alice"));
    assertEquals(2, calls.get());
  }

  @Test
  void anAnswerExpiresAfterItsTimeToLive() {
    billing.put("user:alice", "pro");
    PlanCache cache = cache(100, Duration.ofMinutes(5), Duration.ofMinutes(5), Runnable::run);
    cache.lookup("user:alice");

    billing.put("user:alice", "free");
    clock.advance(Duration.ofMinutes(5));

    assertEquals("free", cache.lookup("user:alice"));
    assertEquals(2, calls.get());
  }

  @Test
  void onlyTheResolverIsAskedOnTheLoadsExecutorNotTheCachesUpkeep() {
    AtomicInteger tasks = new AtomicInteger();
    PlanCache cache =
        cache(
            1_000,
            Duration.ofMinutes(10),
            Duration.ofMinutes(1),
            task -> {
              tasks.incrementAndGet();
              task.run();
            });

    // Enough reads of cached answers to fill Caffeine's read buffer many times over.
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < 100; i++) {
        cache.lookup("user:" + i);
      }
    }

    assertEquals(100, calls.get());
    assertEquals(
        100, tasks.get(), "one task per answer loaded; the cache's upkeep stays on the caller");

    clock.advance(Duration.ofSeconds(61));
    cache.lookup("user:0");
    assertEquals(101, tasks.get(), "a refresh is asked on the loads executor too");
  }

  @Test
  void aLoadTheClosedPoolNeverStartedIsAskedAgainAfterwards() throws InterruptedException {
    CountDownLatch answer = new CountDownLatch(1);
    PlanResolver slow =
        client -> {
          answer.await();
          return "pro";
        };
    PlanCache cache = PlanCache.create(slow, settings(Duration.ofMillis(50)), clock);
    try {
      // The pool's two threads wait in the resolver; the third client's load waits in the queue.
      for (String client : List.of("user:a", "user:b", "user:c")) {
        assertSame(PlanCache.TIMED_OUT, cache.lookup(client));
      }
      cache.close(); // interrupts the two loads running, drops the one queued
      answer.countDown();

      String plan = PlanCache.TIMED_OUT;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (plan == PlanCache.TIMED_OUT && System.nanoTime() < deadline) {
        plan = cache.lookup("user:c");
      }
      assertEquals("pro", plan, "asked again on new threads, not timed out on the dropped load");
    } finally {
      answer.countDown();
      cache.close();
    }
  }

  @Test
  void theCacheIsBoundedWhateverClientsAreSeen() {
    PlanCache cache = cache(50);

    for (int i = 0; i < 5_000; i++) {
      cache.lookup("key:hostile-" + i);
    }

    assertTrue(cache.size() <= 50, "held " + cache.size());
  }
}
