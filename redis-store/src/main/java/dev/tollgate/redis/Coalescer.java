package dev.tollgate.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Sends the script's short-form decisions ({@link AcquireScript#shortForm}) so that those arriving
 * while earlier calls are in flight go together, as one call of the script's batch form: Redis then
 * pays its per-call cost (command dispatch, script lookup, Lua set-up, {@code TIME}) once per batch
 * instead of once per decision. The batch form decides its decisions one after another, in arrival
 * order, each exactly as a call of its own would.
 *
 * <p>Natural batching, without a timer: a decision is sent at once, alone (in the short form, as
 * without coalescing), while fewer than {@value #MAX_IN_FLIGHT} calls are in flight; otherwise it
 * queues, and when a call returns, up to {@value #MAX_BATCH} queued decisions go as the next call.
 * Coalescing thus adds no latency at low load; under load a decision waits for an in-flight call to
 * return before it is sent (for a second one only when more than {@value #MAX_BATCH} queue).
 *
 * <p>Each decision's future completes with the short-form reply the decision would have had alone,
 * or fails as its call's future would have (the Lettuce exception of the batch's call fails every
 * decision of the batch; {@code Decider} turns a cancellation into a connection failure), or with a
 * {@link Failure} if the reply does not fit the batch. A decision that fails inside the batch (a
 * key of another type under the prefix) fails alone with a {@link Failure} of kind {@code OTHER},
 * as a call of its own would fail with an error reply; the others of its batch are decided. A
 * caller that stops waiting cancels its future: a decision still queued then is skipped when the
 * next batch is taken; one already sent may still run. Every call completes (Lettuce's command
 * timeout), so a queued decision is sent or dropped within a timeout.
 */
final class Coalescer {

  /**
   * Calls in flight at once: two, so that Redis can run one while the next is on its way (one would
   * leave Redis idle for a round trip between batches; more would only make batches smaller,
   * costing Redis more calls for the same decisions). Measured against 1 and 4: see
   * docs/redis-at-scale.md.
   */
  static final int MAX_IN_FLIGHT = 2;

  /**
   * Decisions in one call at most: bounds how long one call holds Redis' single thread (each
   * decision runs a {@code GET} and usually a {@code SETRANGE}) and the size of its arguments and
   * reply.
   */
  static final int MAX_BATCH = 64;

  /** Run when Redis answers a call (see {@link Breaker#markAnswer}). */
  private final Runnable markAnswer;

  /** Decisions waiting for an in-flight call to return, in arrival order. Guarded by this. */
  private final ArrayDeque<Decision> queue = new ArrayDeque<>();

  /** Script calls sent and not yet completed. Guarded by this. */
  private int inFlight;

  Coalescer(Runnable markAnswer) {
    this.markAnswer = markAnswer;
  }

  /**
   * Sends a decision on {@code c}, now or with the next batch.
   *
   * @param key the state of the decision's limit
   * @param shortForm the decision's arguments in the script's short form
   * @return the decision's reply in the short form; cancel it to give up waiting
   */
  CompletableFuture<List<Object>> submit(Connection c, String key, String[] shortForm) {
    Decision d = new Decision(c, key, shortForm);
    synchronized (this) {
      // The queue is never left non-empty with a free slot: a returning call takes the next batch.
      if (inFlight >= MAX_IN_FLIGHT) {
        queue.add(d);
        return d.reply;
      }
      inFlight++;
    }
    send(List.of(d));
    return d.reply;
  }

  /** How many decisions wait for a call to return now. For tests. */
  synchronized int queued() {
    return queue.size();
  }

  private void send(List<Decision> batch) {
    Connection c = batch.get(0).connection;
    String[] keys = new String[batch.size()];
    List<String[]> forms = new ArrayList<>(batch.size());
    for (int i = 0; i < keys.length; i++) {
      keys[i] = batch.get(i).key;
      forms.add(batch.get(i).shortForm);
    }
    // A lone decision goes in the short form: as without coalescing, and less for Lua to read.
    String[] args = batch.size() == 1 ? forms.get(0) : AcquireScript.batchArgs(forms);
    call(c, keys, args, false)
        .whenComplete(
            (reply, error) -> {
              if (isNoScript(error)) {
                // As Decider.run: Redis lost the script; EVAL runs and caches it, once.
                call(c, keys, args, true).whenComplete((r, e) -> returned(batch, r, e));
              } else {
                returned(batch, reply, error);
              }
            });
  }

  private CompletableFuture<List<Object>> call(
      Connection c, String[] keys, String[] args, boolean withSource) {
    try {
      RedisFuture<List<Object>> f =
          withSource
              ? c.commands.eval(AcquireScript.SOURCE, ScriptOutputType.MULTI, keys, args)
              : c.commands.evalsha(AcquireScript.SHA1, ScriptOutputType.MULTI, keys, args);
      return f.toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A call returned: the next batch goes first (its decisions waited longest), then the answers.
   */
  private void returned(
      List<Decision> batch, @Nullable List<Object> reply, @Nullable Throwable error) {
    if (error == null) {
      markAnswer.run(); // before the callers learn their answers, who may ask the breaker
    }
    List<Decision> next = takeNextBatch();
    if (!next.isEmpty()) {
      send(next);
    }
    Throwable failure = unwrap(error);
    if (failure == null) {
      if (reply != null && AcquireScript.isReply(reply, batch.size())) {
        for (int i = 0; i < batch.size(); i++) {
          List<Object> own = batch.size() == 1 ? reply : AcquireScript.batchReply(reply, i);
          String failed = AcquireScript.batchError(own);
          if (failed == null) {
            batch.get(i).reply.complete(own);
          } else {
            // As the error reply of a call of its own: Redis is there, the decision failed.
            batch
                .get(i)
                .reply
                .completeExceptionally(
                    new Failure(Failure.Kind.OTHER, "Redis failed: " + failed, null));
          }
        }
        return;
      }
      failure =
          new Failure(
              Failure.Kind.OTHER,
              "unexpected script reply of "
                  + (reply == null ? null : reply.size() + " values")
                  + " for "
                  + batch.size()
                  + " decisions",
              null);
    }
    for (Decision d : batch) {
      d.reply.completeExceptionally(failure);
    }
  }

  /**
   * Up to {@link #MAX_BATCH} queued decisions of one connection, skipping those given up; none
   * frees the returning call's slot.
   */
  private synchronized List<Decision> takeNextBatch() {
    List<Decision> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
    while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
      Decision d = queue.peek();
      if (d.reply.isDone()) {
        queue.poll();
      } else if (batch.isEmpty() || d.connection == batch.get(0).connection) {
        batch.add(queue.poll());
      } else {
        break; // reconnected meanwhile: the rest goes on the new connection, in the next call
      }
    }
    if (batch.isEmpty()) {
      inFlight--;
    }
    return batch;
  }

  private static boolean isNoScript(@Nullable Throwable error) {
    return unwrap(error) instanceof RedisNoScriptException;
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** One decision and its caller's future. */
  private static final class Decision {
    final Connection connection;
    final String key;
    final String[] shortForm;
    final CompletableFuture<List<Object>> reply = new CompletableFuture<>();

    Decision(Connection connection, String key, String[] shortForm) {
      this.connection = connection;
      this.key = key;
      this.shortForm = shortForm;
    }
  }
}
