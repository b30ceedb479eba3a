package dev.tollgate.redis;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.LimitUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Rejections this server repeats without asking Redis: a client whose limit is exhausted is
 * answered 429 here until its state can next change.
 *
 * <p><b>Why this is exact.</b> A rejected request (without {@code count-rejected}) changes nothing
 * in Redis, and until the earliest reset among its limits nothing in its state changes by itself: a
 * fixed window's count, a rolling window's buckets and a token bucket's tokens are constant until
 * then, and reset and retry times count down one millisecond per millisecond. Other requests can
 * only use more of the quota, never less (a quota change is a different limit, so a different
 * request). So until then Redis would answer the same request with the same decision, and, as long
 * as no other request touched the client, with the same numbers, shifted by the time passed; that
 * is the answer given here. Any request this server sends to Redis for a client drops the client's
 * entry, so on one server even the numbers stay exact; requests decided by other servers can make
 * the remaining count shown here too high, never the decision wrong.
 *
 * <p>Not cached: requests with a {@code count-rejected} bucket (Redis must count each of them),
 * peeks (cost 0), and a rejection whose limits are all unused (nothing will reset it).
 *
 * <p>Bounded: at most {@code capacity} clients; when full, expired entries are swept (at most once
 * per {@value #SWEEP_INTERVAL_MILLIS} ms) and a rejection that still finds no room is simply not
 * cached, so a flood of distinct keys costs Redis calls, never memory.
 *
 * <p>Times are in the caller's milliseconds (a monotonic clock in production); an answer is never
 * given for a time before the one the entry was made at.
 */
final class RejectedCache {

  static final long SWEEP_INTERVAL_MILLIS = 100;

  private final int capacity;

  /**
   * By client: the last rejection of a request naming it (the same entry under each of its
   * clients).
   */
  private final Map<String, Entry> byClient = new ConcurrentHashMap<>();

  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param request the rejected request
   * @param result Redis' answer
   * @param localMillis the caller's clock when the request was sent (at or before Redis' decision)
   * @param validMillis how long after that the answer holds: the earliest reset among its limits
   */
  private record Entry(
      AcquireRequest request, AcquireResult result, long localMillis, long validMillis) {}

  RejectedCache(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Redis' answer to {@code request} at {@code nowMillis}, if it is known without asking; else
   * null.
   */
  @Nullable AcquireResult answer(AcquireRequest request, long nowMillis) {
    Entry e = byClient.get(request.buckets().get(0).client());
    if (e == null || !e.request.equals(request)) {
      return null;
    }
    long elapsed = nowMillis - e.localMillis;
    if (elapsed < 0 || elapsed >= e.validMillis) {
      remove(e);
      return null;
    }
    List<LimitUsage> usages = new ArrayList<>(e.result.usages().size());
    for (LimitUsage u : e.result.usages()) {
      usages.add(
          new LimitUsage(
              u.limit(),
              u.remaining(),
              u.resetMillis() > 0 ? u.resetMillis() - elapsed : 0,
              u.retryAfterMillis() > 0 ? u.retryAfterMillis() - elapsed : 0));
    }
    return new AcquireResult(false, e.result.nowMillis() + elapsed, usages);
  }

  /**
   * Records Redis' answer to a request sent at {@code sentMillis}: drops what was known about its
   * clients (the request may have changed their counts), then keeps a rejection that may be
   * repeated.
   */
  void record(AcquireRequest request, AcquireResult result, long sentMillis) {
    // Even a peek may have changed a state (after the clock went back, a window is re-based).
    forget(request.buckets());
    if (result.admitted() || request.cost() == 0 || !cacheable(request)) {
      return;
    }
    long valid = Long.MAX_VALUE;
    boolean rejected = false;
    for (LimitUsage u : result.usages()) {
      if (u.resetMillis() > 0) {
        valid = Math.min(valid, u.resetMillis());
      }
      rejected |= u.rejected();
    }
    if (!rejected || valid == Long.MAX_VALUE) {
      return;
    }
    if (byClient.size() >= capacity && !sweep(sentMillis)) {
      return;
    }
    Entry e = new Entry(request, result, sentMillis, valid);
    for (Bucket b : request.buckets()) {
      byClient.put(b.client(), e);
    }
  }

  /**
   * Drops what is known about the clients of {@code buckets}: to be called by anything else that
   * changes their counts in Redis through this server (e.g. a charge after the response), so that
   * the remaining counts shown stay Redis' own.
   */
  void forget(List<Bucket> buckets) {
    for (Bucket b : buckets) {
      byClient.remove(b.client());
    }
  }

  /** How many clients have an entry, expired ones included until they are swept. */
  int size() {
    return byClient.size();
  }

  private static boolean cacheable(AcquireRequest request) {
    for (Bucket b : request.buckets()) {
      if (b.countRejected()) {
        return false; // each rejection must reach Redis to be counted
      }
    }
    return true;
  }

  /** Removes expired entries, at most once per interval; true if there is room afterwards. */
  private boolean sweep(long nowMillis) {
    long due = nextSweep.get();
    if (nowMillis - due >= 0 || due == Long.MIN_VALUE) {
      if (nextSweep.compareAndSet(due, nowMillis + SWEEP_INTERVAL_MILLIS)) {
        byClient
            .values()
            .removeIf(e -> nowMillis - e.localMillis >= e.validMillis || nowMillis < e.localMillis);
      }
    }
    return byClient.size() < capacity;
  }

  private void remove(Entry e) {
    for (Bucket b : e.request.buckets()) {
      byClient.remove(b.client(), e);
    }
  }
}
