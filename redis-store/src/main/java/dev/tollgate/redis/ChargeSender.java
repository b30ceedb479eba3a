package dev.tollgate.redis;

import dev.tollgate.core.Clock;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.StoreUnavailableException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Charges after the response (issue #15), kept apart from acquire's path: one {@code EVALSHA} of
 * {@link ChargeScript} per client hash slot, sent on the connection as it is and never waited for,
 * never retried (so a charge is never applied twice).
 */
final class ChargeSender {

  private final Connector connector;
  private final Breaker breaker;
  private final LocalAnswers answers;
  private final KeyLayout keys;
  private final boolean cluster;
  private final @Nullable Clock scriptClock;
  private final LongAdder lostCharges = new LongAdder();

  ChargeSender(
      Connector connector,
      Breaker breaker,
      LocalAnswers answers,
      KeyLayout keys,
      boolean cluster,
      @Nullable Clock scriptClock) {
    this.connector = connector;
    this.breaker = breaker;
    this.answers = answers;
    this.keys = keys;
    this.cluster = cluster;
    this.scriptClock = scriptClock;
  }

  /** See {@link RedisStore#charge}. */
  CompletionStage<Void> charge(ChargeRequest request) {
    Connection c = connector.established();
    if (connector.closed() || breaker.down() || c == null) {
      lostCharges.increment();
      return CompletableFuture.failedFuture(
          new StoreUnavailableException(
              connector.closed()
                  ? "the store is closed"
                  : "Redis is down or not connected: the charge is dropped"));
    }
    // A refund can lift a rejection this server remembers before its reset.
    answers.forget(request.buckets());
    List<CompletableFuture<Object>> sent = send(c, request);
    return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                lostCharges.increment();
              } else {
                breaker.markAnswer.run();
              }
            });
  }

  /** Sends one script call per slot group that has something to charge. */
  private List<CompletableFuture<Object>> send(Connection c, ChargeRequest request) {
    List<Bucket> buckets = request.buckets();
    int[] offsets = Slots.offsets(buckets);
    List<CompletableFuture<Object>> sent = new ArrayList<>();
    for (List<Integer> group : Slots.groups(cluster, buckets)) {
      List<Bucket> part = group.isEmpty() ? buckets : Slots.part(buckets, group);
      long[] amounts = group.isEmpty() ? request.amounts() : amounts(request, group, offsets);
      if (allZero(amounts)) {
        continue;
      }
      String[] k = keys.keys(part);
      String[] args =
          ChargeScript.args(
              part, amounts, 0, request.admittedAtMillis(), AcquireScript.scriptTime(scriptClock));
      sent.add(evalCharge(c, k, args));
    }
    return sent;
  }

  /** The amounts of one group's buckets, in their order. */
  private static long[] amounts(ChargeRequest request, List<Integer> group, int[] offsets) {
    List<Bucket> buckets = request.buckets();
    int n = 0;
    for (int b : group) {
      n += buckets.get(b).limits().size();
    }
    long[] amounts = new long[n];
    int i = 0;
    for (int b : group) {
      for (int l = 0; l < buckets.get(b).limits().size(); l++) {
        amounts[i++] = request.amounts()[offsets[b] + l];
      }
    }
    return amounts;
  }

  private static boolean allZero(long[] amounts) {
    for (long a : amounts) {
      if (a != 0) {
        return false;
      }
    }
    return true;
  }

  private CompletableFuture<Object> evalCharge(Connection c, String[] k, String[] args) {
    try {
      return c.commands
          .<Object>evalsha(ChargeScript.SHA1, ScriptOutputType.INTEGER, k, args)
          .toCompletableFuture()
          .handle(
              (r, e) -> {
                if (e == null) {
                  return CompletableFuture.completedFuture(r);
                }
                Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RedisNoScriptException) {
                  // The script cache is empty: EVAL sends and caches it (once).
                  return c.commands
                      .<Object>eval(ChargeScript.SOURCE, ScriptOutputType.INTEGER, k, args)
                      .toCompletableFuture();
                }
                return CompletableFuture.<Object>failedFuture(cause);
              })
          .thenCompose(x -> x);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  long lostChargeCount() {
    return lostCharges.sum();
  }
}
