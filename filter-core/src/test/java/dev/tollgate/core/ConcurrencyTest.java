package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 32 threads on one client admit exactly the quota. */
@Tag("slow") // threads hammering one state: a mutant that breaks the lock spins until PIT's timeout
class ConcurrencyTest {

  private static final int THREADS = 32;
  private static final int ATTEMPTS = 100;

  /**
   * Runs THREADS x ATTEMPTS checks released together by a start gate; returns how many were
   * admitted.
   */
  static int hammer(Tollgate t, TestRequest request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch ready = new CountDownLatch(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < THREADS; i++) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  start.await();
                  for (int a = 0; a < ATTEMPTS; a++) {
                    Verdict v = t.check(request);
                    if (v.proceed()) {
                      admitted.incrementAndGet();
                    } else {
                      assertEquals(429, v.status());
                      rejected.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS));
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(THREADS * ATTEMPTS, admitted.get() + rejected.get());
    return admitted.get();
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void thirtyTwoThreadsOnOneClientAdmitExactlyTheQuota(String algorithm) throws Exception {
    Tollgate t = engine(FakeClock.at1800(), "limits", "1000/1m " + algorithm);
    assertEquals(1000, hammer(t, TestRequest.get("/api/things")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "rolling", "token-bucket"})
  void withTwoRulesTheSmallerEndpointQuotaIsAdmittedExactlyAndCountedOnceInTheDefault(
      String algorithm) throws Exception {
    Tollgate t =
        engine(
            FakeClock.at1800(),
            "limits",
            "1000/1m " + algorithm,
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "500/1m " + algorithm);
    assertEquals(500, hammer(t, TestRequest.get("/api/reports")));
    Verdict after = t.check(TestRequest.get("/api/other"));
    assertTrue(after.proceed());
    assertEquals(
        499,
        MultiLimitTest.remaining(after, "minute"),
        "the default rule counted exactly the 500 admitted calls (rejections consumed nothing)");
  }

  @Test
  void concurrentEndpointAndDefaultTrafficNeverDeadlocksAndSharesTheDefaultQuotaExactly()
      throws Exception {
    Tollgate t =
        engine(
            FakeClock.at1800(),
            "limits",
            "1000/1m",
            "rules.a.path",
            "/a",
            "rules.a.limits",
            "5000/1m",
            "rules.b.path",
            "/a/**",
            "rules.b.limits",
            "5000/1m");
    // /a matches both endpoint rules: three buckets locked together; the plain path locks one.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> both = pool.submit(() -> hammer(t, TestRequest.get("/a")));
      Future<Integer> plain = pool.submit(() -> hammer(t, TestRequest.get("/c")));
      assertEquals(1000, both.get(60, TimeUnit.SECONDS) + plain.get(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }
}
