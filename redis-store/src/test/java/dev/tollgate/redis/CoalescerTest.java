package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link Coalescer} against a real redis-server, with the server paused ({@code SIGSTOP}) to
 * hold calls in flight: which decisions go alone and which queue, that a queued batch goes as one
 * call, and that a failing call fails each of its decisions, as a call of its own would, so that no
 * caller is lost. Every wait for a future is bounded, so a lost caller fails the test rather than
 * hanging it.
 */
class CoalescerTest {

  /** Far beyond any wait here: reaching it means a future was never completed. */
  private static final long LOST_SECONDS = 30;

  private static final long T0 = 1_699_920_000_000L;

  /** A decision of one fixed window (the script's short form, which the coalescer sends). */
  private static final AcquireRequest ONE_FIXED_WINDOW =
      new AcquireRequest(
          List.of(new Bucket("default", "d", List.of(Limit.parse("100/1m")), false)), 1);

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  private final KeyLayout layout = new KeyLayout("t:");
  private final AtomicInteger answers = new AtomicInteger();
  private final Coalescer coalescer = new Coalescer(answers::incrementAndGet);
  private Connector connector;

  @BeforeEach
  void fresh() {
    redis.flushall();
  }

  @AfterEach
  void close() {
    server.server().resume(); // harmless if not paused
    if (connector != null) {
      connector.close();
    }
  }

  @Test
  void decisionsArrivingWhileTwoCallsAreInFlightGoAsOneBatchInArrivalOrder() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    redis.configResetstat(); // before the pause: the admin's commands would wait too
    server.server().pause();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      replies.add(submit(c, "a", 1)); // quota 5: the sixth and seventh are rejected
    }
    assertEquals(5, coalescer.queued(), "two in flight, the rest queued");
    server.server().resume();
    for (int i = 0; i < 7; i++) {
      List<Object> reply = get(replies.get(i));
      assertEquals(i < 5, AcquireScript.admitted(reply), "decision " + i);
      assertEquals(Math.max(0, 4 - i), (Long) reply.get(2), "remaining after decision " + i);
    }
    assertEquals(0, coalescer.queued());
    // Two lone calls and one batch of five.
    assertEquals(3L, RedisCommandCountTest.commands(redis).get("evalsha"));
    assertEquals(3, answers.get(), "every answered call marks an answer");
  }

  @Test
  void aDecisionThatFailsInsideABatchFailsAloneAsACallOfItsOwnWould() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    // The script's GET fails on a hash: an error reply, with Redis there.
    redis.hset(key("broken"), "x", "1");
    server.server().pause();
    CompletableFuture<List<Object>> first = submit(c, "a", 1);
    CompletableFuture<List<Object>> second = submit(c, "broken", 1); // alone: the call fails
    CompletableFuture<List<Object>> a = submit(c, "a", 1);
    CompletableFuture<List<Object>> broken = submit(c, "broken", 1);
    CompletableFuture<List<Object>> b = submit(c, "b", 1);
    server.server().resume();
    assertTrue(AcquireScript.admitted(get(first)));
    assertInstanceOf(RedisCommandExecutionException.class, failure(second));
    Failure alone = Decider.failure(failure(second));
    assertEquals(Failure.Kind.OTHER, alone.kind);
    // In the batch, the broken key's decision fails with the same kind; the others are decided.
    List<Object> afterA = get(a);
    assertTrue(AcquireScript.admitted(afterA));
    assertEquals(3L, afterA.get(2), "a's second request: 3 of 5 left");
    Failure inBatch = Decider.failure(failure(broken));
    assertEquals(Failure.Kind.OTHER, inBatch.kind);
    assertTrue(inBatch.getMessage().contains("WRONGTYPE"), inBatch.getMessage());
    assertTrue(AcquireScript.admitted(get(b)));
    assertEquals(
        1L,
        redis.bitfield(key("b"), BitFieldArgs.Builder.get(BitFieldArgs.signed(64), 64)).get(0),
        "b counted once");
    // Afterwards the coalescer sends again, alone.
    assertTrue(AcquireScript.admitted(get(submit(c, "a", 1))));
  }

  @Test
  void callsThatTimeOutFailTheirQueuedSuccessorsToAndFreeTheirSlots() throws Exception {
    Connection c = connect(Duration.ofMillis(300));
    server.server().pause();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(submit(c, "k" + i, 1));
    }
    // The two calls in flight time out, then the batch of the other eight, sent meanwhile.
    for (CompletableFuture<List<Object>> f : replies) {
      assertInstanceOf(RedisCommandTimeoutException.class, failure(f));
      assertEquals(Failure.Kind.TIMEOUT, Decider.failure(failure(f)).kind);
    }
    assertEquals(0, coalescer.queued());
    server.server().resume();
    assertTrue(AcquireScript.admitted(get(submit(c, "after", 1))), "the slots were freed");
  }

  @Test
  void aLostConnectionFailsTheCallsInFlightAndTheQueuedDecisionsAsLost() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    server.server().pause();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      replies.add(submit(c, "k" + i, 1));
    }
    server.server().stop(); // killed while frozen: the connection is reset
    for (CompletableFuture<List<Object>> f : replies) {
      assertEquals(Failure.Kind.CONNECTION, Decider.failure(failure(f)).kind);
    }
    assertEquals(0, coalescer.queued());
    server.server().restart();
    // Lettuce reconnects by itself (within its 1 s back-off); then the coalescer sends again.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOST_SECONDS);
    while (!c.connection.isOpen()) {
      assertTrue(System.nanoTime() < deadline, "reconnected");
      Thread.sleep(10);
    }
    assertTrue(AcquireScript.admitted(get(submit(c, "after", 1))), "the slots were freed");
  }

  @Test
  void aDecisionGivenUpWhileQueuedIsNotSent() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    server.server().pause();
    CompletableFuture<List<Object>> first = submit(c, "a", 1);
    CompletableFuture<List<Object>> second = submit(c, "a", 1);
    CompletableFuture<List<Object>> givenUp = submit(c, "given-up", 1);
    CompletableFuture<List<Object>> last = submit(c, "a", 1);
    givenUp.cancel(false);
    server.server().resume();
    get(first);
    get(second);
    // Sent alone, the third decision of client a: the one given up was dropped from the queue.
    assertEquals(2L, (Long) get(last).get(2));
    assertNull(redis.get(key("given-up")));
  }

  @Test
  void eachCallerWaitsUntilItsOwnDeadlineThenTimesOut() throws Exception {
    // The command timeout (10 s) is far beyond the callers' deadlines: they give up first.
    Connection c = connect(Duration.ofSeconds(10));
    Decider decider = coalescingDecider();
    server.server().pause();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Throwable>> outcomes =
          failingCallers(pool, decider, c, 16, Duration.ofMillis(200));
      for (Future<Throwable> f : outcomes) {
        Throwable thrown = f.get(LOST_SECONDS, TimeUnit.SECONDS);
        assertEquals(Failure.Kind.TIMEOUT, assertInstanceOf(Failure.class, thrown).kind);
      }
    } finally {
      pool.shutdownNow();
    }
    server.server().resume();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOST_SECONDS);
    assertTrue(decider.decide(ONE_FIXED_WINDOW, c, deadline, 1, new int[1]).admitted());
  }

  /**
   * A reset connection cancels the calls in flight (Lettuce completes them with a {@code
   * CancellationException}, which {@code Future.get} throws as it is): each caller still gets a
   * {@link Failure}, which the store's failure policy handles, never the raw exception.
   */
  @Test
  @SuppressWarnings("deprecation") // StatefulConnection.reset: the way to make Lettuce cancel
  void callersOfCallsCancelledByAResetConnectionGetAConnectionFailure() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    Decider decider = coalescingDecider();
    server.server().pause();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Throwable>> outcomes =
          failingCallers(pool, decider, c, 8, Duration.ofSeconds(LOST_SECONDS));
      long sent = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOST_SECONDS);
      while (coalescer(decider).queued() < 6) { // 2 calls in flight, 6 decisions queued
        assertTrue(System.nanoTime() < sent, "all eight decisions submitted");
        Thread.sleep(5);
      }
      c.connection.reset(); // cancels the 2 calls in flight; the queued 6 go next, as one call
      while (coalescer(decider).queued() > 0) {
        assertTrue(System.nanoTime() < sent, "the queued decisions sent");
        Thread.sleep(5);
      }
      c.connection.close(); // that call fails too (Redis is still paused)
      for (Future<Throwable> f : outcomes) {
        Throwable thrown = f.get(LOST_SECONDS, TimeUnit.SECONDS);
        assertEquals(Failure.Kind.CONNECTION, assertInstanceOf(Failure.class, thrown).kind);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLostScriptIsSentAgainWithItsSourceForLoneCallsAndBatches() throws Exception {
    Connection c = connect(Duration.ofSeconds(10));
    redis.scriptFlush();
    redis.configResetstat();
    server.server().pause();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      replies.add(submit(c, "a", 1));
    }
    server.server().resume();
    for (int i = 0; i < 6; i++) {
      assertEquals(
          Math.max(0, 4 - i), (Long) get(replies.get(i)).get(2), "remaining after decision " + i);
    }
    assertTrue(RedisCommandCountTest.commands(redis).get("eval") >= 1);
  }

  private Connection connect(Duration timeout) {
    connector =
        new Connector(
            false, List.of(RedisURI.create(server.uri())), timeout, Duration.ofSeconds(2));
    connector.awaitFirstConnection();
    return connector.connection(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
  }

  private CompletableFuture<List<Object>> submit(Connection c, String client, int cost) {
    List<Bucket> buckets =
        List.of(new Bucket("default", client, List.of(Limit.parse("5/1m")), false));
    return coalescer.submit(
        c, layout.keys(buckets)[0], AcquireScript.args(buckets, cost, T0, false, 1));
  }

  private String key(String client) {
    return layout
        .keys(List.of(new Bucket("default", client, List.of(Limit.parse("5/1m")), false)))[0];
  }

  private Decider coalescingDecider() {
    return new Decider(layout, false, () -> T0, answers::incrementAndGet, true);
  }

  /**
   * Starts {@code n} callers of {@code decider}'s one-fixed-window decision on {@code pool}, each
   * waiting up to {@code wait}; each future gives what its call threw (a call that returns fails
   * the test).
   */
  private static List<Future<Throwable>> failingCallers(
      ExecutorService pool, Decider decider, Connection c, int n, Duration wait) {
    List<Future<Throwable>> outcomes = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      outcomes.add(
          pool.submit(
              () -> {
                long deadline = System.nanoTime() + wait.toNanos();
                return assertThrows(
                    Throwable.class,
                    () -> decider.decide(ONE_FIXED_WINDOW, c, deadline, 1, new int[1]));
              }));
    }
    return outcomes;
  }

  private static Coalescer coalescer(Decider decider) {
    return Objects.requireNonNull(decider.coalescer(), "coalescing is on");
  }

  private static List<Object> get(CompletableFuture<List<Object>> f) throws Exception {
    return f.get(LOST_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<List<Object>> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
    return e.getCause();
  }
}
