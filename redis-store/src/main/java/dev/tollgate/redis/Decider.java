package dev.tollgate.redis;

import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.redis.Failure.Kind;
import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Decides a request in Redis: one {@code EVALSHA} of {@link AcquireScript} (one per client slot
 * when a cluster spreads the request's keys), or, with a {@link Coalescer}, one decision of a call
 * shared with others; it waits for the answer until the deadline and sends the script again if
 * Redis lost it. Every failure is a {@link Failure}.
 */
final class Decider {

  /** The types of a fixed window's state (acquire.lua's {@code FIXED}): start, then count. */
  private static final BitFieldArgs.BitFieldType I64 = BitFieldArgs.signed(64);

  private static final int COUNT_OFFSET = 64;

  private final KeyLayout keys;
  private final boolean cluster;
  private final @Nullable Clock scriptClock;

  /** Run when Redis answers (see {@link Breaker#markAnswer}). */
  private final Runnable markAnswer;

  /** Off once Redis answered a {@code BITFIELD} with an error: the script renews leases then. */
  private volatile boolean renewals = true;

  /** Sends the short-form decisions, or null to send each decision as a call of its own. */
  private final @Nullable Coalescer coalescer;

  /**
   * @param coalesce whether to coalesce the decisions of the script's short form (ignored for a
   *     cluster: a batch's keys would span slots)
   */
  Decider(
      KeyLayout keys,
      boolean cluster,
      @Nullable Clock scriptClock,
      Runnable markAnswer,
      boolean coalesce) {
    this.keys = keys;
    this.cluster = cluster;
    this.scriptClock = scriptClock;
    this.markAnswer = markAnswer;
    this.coalescer = coalesce && !cluster ? new Coalescer(markAnswer) : null;
  }

  /**
   * Decides {@code request} in Redis, taking up to {@code lease} requests' cost if admitted (one
   * script call only: a request spread over cluster slots takes one); {@code taken[0]} is set to
   * how many were taken.
   */
  AcquireResult decide(
      AcquireRequest request, Connection c, long deadline, int lease, int[] taken) {
    List<Bucket> buckets = request.buckets();
    List<List<Integer>> groups = Slots.groups(cluster, buckets);
    if (groups.size() == 1) {
      String[] k = keys.keys(buckets);
      String[] args = AcquireScript.args(buckets, request.cost(), now(), false, lease);
      List<Object> reply =
          coalescer != null && AcquireScript.shortForm(buckets) && c.connection.isOpen()
              ? await(coalescer.submit(c, k[0], args), deadline)
              : run(c, k, args, deadline);
      taken[0] = AcquireScript.taken(reply);
      List<LimitUsage> usages = new ArrayList<>(request.limitCount());
      AcquireScript.usages(reply, buckets, usages);
      return new AcquireResult(
          AcquireScript.admitted(reply), AcquireScript.nowMillis(reply), usages);
    }
    return decideBySlot(request, groups, c, deadline);
  }

  /**
   * Renews the lease of {@code request}, one fixed window counted at decision, with one command:
   * {@code BITFIELD key GET i64 0 INCRBY i64 64 units} reads the state's window start and adds the
   * lease's {@code units} to its count, atomically (the script's state layout, acquire.lua's {@code
   * FIXED}). If the start is the lease's window, the lease gets as many of the {@code r.ask()}
   * requests as the count had room for. Otherwise, or if the count had no room for one request, it
   * returns null and the script decides.
   *
   * <p>Nothing is ever subtracted: an undo sent a round trip later could land in the next window's
   * state (its key having expired meanwhile) and let that window admit more than its quota, and a
   * count that can go down would make other servers' cached rejections wrong. What the addition
   * took beyond what was granted stays counted. At the end of a quota the lease gets all the count
   * had room for, so that hides less than one request's cost, from requests of a smaller cost only;
   * if the state was of a later window (Redis' clock ahead of this server's reckoning of it by more
   * than {@link Leases#WINDOW_MARGIN_MILLIS}), the whole addition counts in that window: both err
   * toward rejecting. A state the addition created (it had expired or was evicted) has no start, so
   * the script that decides next ignores its count and rewrites or deletes it.
   *
   * <p>After an error reply the script decides; one that says {@code BITFIELD} is not allowed or
   * not known (an ACL without it, a server without it) turns renewals off for this store.
   *
   * @param taken receives how many requests the lease took
   */
  @Nullable AcquireResult renew(
      AcquireRequest request, Connection c, long deadline, Leases.Renewal r, int[] taken) {
    if (!renewals) {
      return null;
    }
    String key = keys.keys(request.buckets())[0];
    long cost = request.cost();
    long units = r.ask() * cost;
    List<Long> reply;
    try {
      reply =
          await(
              answered(
                  c.strings.bitfield(
                      key, BitFieldArgs.Builder.get(I64, 0).incrBy(I64, COUNT_OFFSET, units))),
              deadline);
    } catch (Failure e) {
      if (e.getCause() instanceof RedisCommandExecutionException) {
        String message = String.valueOf(e.getCause().getMessage());
        if (message.startsWith("NOPERM") || message.startsWith("ERR unknown command")) {
          renewals = false;
        }
        return null; // the script decides (and fails alike on a key of another type)
      }
      throw e;
    } catch (RuntimeException e) {
      throw new Failure(Kind.CONNECTION, "Redis rejected the command", e);
    }
    long start = reply.get(0);
    long count = reply.get(1);
    Limit limit = r.limit();
    long before = limit.quota() - (count - units);
    if (start != r.windowStart() || before < cost) {
      return null;
    }
    long granted = Math.min(r.ask(), before / cost);
    taken[0] = (int) granted;
    long reset = start + limit.windowMillis() - r.redisMillis();
    long remaining = Math.max(0, limit.quota() - count);
    return new AcquireResult(
        true, r.redisMillis(), List.of(new LimitUsage(limit, remaining, Math.max(1, reset), 0)));
  }

  /**
   * Cluster, and the rules identify the client differently (e.g. by IP and by API key): the keys
   * live in different slots, so each client's buckets are decided by their own call, in order. Each
   * call is atomic; a later rejection leaves the earlier calls' consumption in place, so the limits
   * err on the strict side by at most one request's cost.
   */
  private AcquireResult decideBySlot(
      AcquireRequest request, List<List<Integer>> groups, Connection c, long deadline) {
    List<Bucket> buckets = request.buckets();
    LimitUsage[] usages = new LimitUsage[request.limitCount()];
    int[] offsets = Slots.offsets(buckets);
    boolean admitted = true;
    long now = 0;
    for (int g = 0; g < groups.size(); g++) {
      List<Bucket> part = Slots.part(buckets, groups.get(g));
      List<Object> reply =
          run(
              c,
              keys.keys(part),
              AcquireScript.args(part, request.cost(), now(), !admitted, 1),
              deadline);
      List<LimitUsage> partUsages = new ArrayList<>();
      AcquireScript.usages(reply, part, partUsages);
      admitted &= AcquireScript.admitted(reply);
      if (g == 0) {
        now = AcquireScript.nowMillis(reply);
      }
      int u = 0;
      for (int b : groups.get(g)) {
        for (int l = 0; l < buckets.get(b).limits().size(); l++) {
          usages[offsets[b] + l] = partUsages.get(u++);
        }
      }
    }
    return new AcquireResult(admitted, now, Arrays.asList(usages));
  }

  /** The coalescer of short-form decisions, or null when off (or on a cluster). For tests. */
  @Nullable Coalescer coalescer() {
    return coalescer;
  }

  private @Nullable Long now() {
    return AcquireScript.scriptTime(scriptClock);
  }

  private List<Object> run(Connection c, String[] k, String[] args, long deadline) {
    try {
      return await(
          answered(c.commands.evalsha(AcquireScript.SHA1, ScriptOutputType.MULTI, k, args)),
          deadline);
    } catch (NoScriptException e) {
      // The script cache is empty (Redis restarted, failed over or SCRIPT FLUSH): EVAL runs the
      // script and caches it again, so this costs one extra round trip once.
      return await(
          answered(c.commands.eval(AcquireScript.SOURCE, ScriptOutputType.MULTI, k, args)),
          deadline);
    } catch (Failure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Failure(Kind.CONNECTION, "Redis rejected the command", e);
    }
  }

  private <T> RedisFuture<T> answered(RedisFuture<T> f) {
    f.thenRun(markAnswer);
    return f;
  }

  /**
   * The script's reply from {@code f} by the deadline, or the {@link Failure} of its call; gives up
   * (cancels {@code f}) at the deadline.
   */
  private static <T> T await(Future<T> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new Failure(Kind.TIMEOUT, "Redis did not answer in time", null);
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new Failure(Kind.OTHER, "interrupted while waiting for Redis", e);
    } catch (CancellationException e) {
      // Not ours (we cancel only past the deadline, above): Lettuce cancels the commands in flight
      // when their connection is reset, and get() throws that as it is.
      throw new Failure(Kind.CONNECTION, "Redis call cancelled: the connection was reset", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RedisNoScriptException) {
        throw new NoScriptException();
      }
      throw failure(cause);
    }
  }

  /** What the failure of a script call means (other than NOSCRIPT). */
  static Failure failure(@Nullable Throwable cause) {
    if (cause instanceof Failure) {
      return (Failure) cause; // the Coalescer's own
    }
    if (cause instanceof RedisCommandTimeoutException) {
      return new Failure(Kind.TIMEOUT, "Redis did not answer in time", null);
    }
    // An error reply means Redis is there; anything else (closed, reset, not connected) means it is
    // not.
    return new Failure(
        cause instanceof RedisCommandExecutionException ? Kind.OTHER : Kind.CONNECTION,
        "Redis failed",
        cause);
  }

  /** NOSCRIPT: the script must be sent again. */
  private static final class NoScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoScriptException() {
      super(null, null, false, false);
    }
  }
}
