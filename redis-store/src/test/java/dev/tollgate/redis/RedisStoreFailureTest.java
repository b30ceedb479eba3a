package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Header;
import dev.tollgate.core.TestRequest;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import dev.tollgate.core.store.StoreUnavailableException;
import dev.tollgate.testing.RedisServer;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped, frozen or not yet started in the middle of traffic, through the engine configured
 * from properties: each rule's failure policy applies, no decision waits longer than the timeout
 * (plus scheduling slack on a busy machine), and limiting resumes by itself once Redis is back.
 */
class RedisStoreFailureTest {

  private static final long TIMEOUT_MILLIS = 50;

  /**
   * Thread scheduling and pauses on a shared, loaded two-core build machine; the wait itself is
   * bounded by the timeout. Timeout plus slack stays well under the 1 s connect timeout, so a
   * decision that waits for a reconnect still fails the bound.
   */
  private static final long SLACK_MILLIS = 400;

  private RedisServer server;
  private Tollgate tollgate;

  @BeforeEach
  void start() {
    server = RedisServer.start();
  }

  @AfterEach
  void stop() {
    if (tollgate != null) {
      tollgate.close();
    }
    server.close();
  }

  @Test
  void redisKilledAppliesEachRulesPolicyWithinTheTimeoutAndLimitingResumesAfterRestart() {
    tollgate = engine();
    RedisStore store = (RedisStore) tollgate.store();
    assertEquals(Verdict.Outcome.ADMITTED, check("/open", "10.0.0.1").outcome());

    server.stop();
    for (int i = 0; i < 20; i++) {
      Verdict open = timed(() -> check("/open", "10.0.0.1"));
      assertEquals(Verdict.Outcome.ADMITTED, open.outcome(), "fail-open admits");
      Verdict closed = timed(() -> check("/closed", "10.0.0.1"));
      assertEquals(503, closed.status(), "fail-closed answers 503");
      assertTrue(
          closed.headers().contains(new Header("Retry-After", "1")), closed.headers().toString());
      assertTrue(closed.problemBody().contains("503"), closed.problemBody());
    }
    assertTrue(store.unavailableCount() >= 40, "failures are counted: " + store.unavailableCount());

    server.restart(); // same port, empty data
    awaitRecovery();
    // Limiting resumes: 5 per day for a client (counts were lost with the restart).
    assertExactlyFiveThen429("10.0.0.2");
  }

  @Test
  void redisFrozenMakesEveryDecisionGiveUpAtTheTimeout() {
    tollgate = engine();
    assertEquals(Verdict.Outcome.ADMITTED, check("/open", "10.0.0.1").outcome());
    server.pause(); // the connection stays open but nothing answers
    try {
      for (int i = 0; i < 10; i++) {
        assertEquals(Verdict.Outcome.ADMITTED, timed(() -> check("/open", "10.0.0.1")).outcome());
        assertEquals(503, timed(() -> check("/closed", "10.0.0.1")).status());
      }
    } finally {
      server.resume();
    }
    awaitRecovery();
    // Limiting resumes. (Calls that timed out were already sent: the thawed server may still run
    // them, each through the same script, so they can use up quota but never exceed it.)
    assertExactlyFiveThen429("10.0.0.3");
  }

  @Test
  void redisDownAtStartupDoesNotStopTheApplicationAndIsPickedUpLater() {
    server.stop();
    // Load Lettuce and Netty first: their one-off initialisation is not what this test measures.
    RedisStore.builder(server.uri())
        .connectTimeout(java.time.Duration.ofMillis(100))
        .build()
        .close();
    long started = System.nanoTime();
    tollgate = engine();
    assertTrue(millisSince(started) < 1_000 + 500, "start waits at most the connect timeout");
    RedisStore store = (RedisStore) tollgate.store();
    assertFalse(store.connected());
    assertEquals(503, timed(() -> check("/closed", "10.0.0.1")).status());
    assertThrows(
        StoreUnavailableException.class,
        () ->
            store.acquire(
                new dev.tollgate.core.store.AcquireRequest(
                    java.util.List.of(
                        new dev.tollgate.core.store.Bucket(
                            "default",
                            "c",
                            java.util.List.of(dev.tollgate.core.Limit.parse("1/1m")),
                            false)),
                    1)));

    server.restart();
    awaitRecovery();
    assertTrue(store.connected());
  }

  private Tollgate engine() {
    return Tollgate.create(
        TollgateConfig.parse(
            Map.of(
                "limits", "5/24h rolling",
                "store.type", "redis",
                "store.redis.uri", server.uri(),
                "store.redis.timeout", TIMEOUT_MILLIS + "ms",
                "store.redis.connect-timeout", "1s",
                "rules.closed.path", "/closed",
                "rules.closed.limits", "100/1m",
                "rules.closed.on-store-failure", "closed")));
  }

  private void assertExactlyFiveThen429(String ip) {
    int admitted = 0;
    Verdict last = null;
    for (int i = 0; i < 7; i++) {
      last = check("/open", ip);
      if (last.proceed()) {
        admitted++;
      }
    }
    assertEquals(5, admitted);
    assertEquals(429, last.status());
  }

  private Verdict check(String path, String ip) {
    return tollgate.check(TestRequest.get(path).from(ip));
  }

  /** Polls (a closed rule answers 503 until Redis decides again), within 10 s. */
  private void awaitRecovery() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (check("/closed", "10.0.0.99").status() == 503) {
      assertTrue(System.nanoTime() < deadline, "limiting resumed within 10 s");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static Verdict timed(Supplier<Verdict> call) {
    long start = System.nanoTime();
    Verdict v = call.get();
    long elapsed = millisSince(start);
    assertTrue(elapsed <= TIMEOUT_MILLIS + SLACK_MILLIS, "decided in " + elapsed + " ms");
    return v;
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
