package dev.tollgate.redis;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.LimitUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Quota leases ({@code store.redis.lease=N}, off by default): a server that sees the same request
 * (same client, rules, limits and cost) often takes up to N requests' worth of every limit of it in
 * one script call, and admits the next ones from memory. How many it asks for follows how busy the
 * request is on this server ({@link #toAsk}); Redis grants at most half of what is left.
 *
 * <p><b>The bound.</b> Leased permits are counted in Redis when they are taken, so Redis never lets
 * the servers take more than the quota. What a lease changes is <em>when</em> a permit is counted:
 * up to {@value #LEASE_MILLIS} ms before it is used. A lease lives until the earliest end of its
 * fixed windows, so a fixed window never admits more than its quota. A rolling window or token
 * bucket can: a permit counted before a window started but used inside it. Each server holds at
 * most one lease per request, so in any window all servers together admit at most {@code quota + (N
 * − 1) × servers} (per client, rule combination and cost); with leasing off, the quota exactly.
 * Permits left unused when a lease ends are not given back: they stay counted until their window
 * ends (the client may be rejected on another server meanwhile, never admitted too many).
 *
 * <p><b>Renewals.</b> A request of one fixed window counted at decision (the most common rule)
 * renews its lease while its window lasts with one Redis command instead of a script call: {@code
 * BITFIELD} adds the lease to the window's count and reads the window's start in the same atomic
 * step ({@link Decider#renew}), so a busy client costs Redis one command per lease. A renewal asks
 * for at most half of what Redis last said was left (as the script grants) and gets what the count
 * still has room for; a count of another window sends the request to the script. Renewals stop
 * {@value #WINDOW_MARGIN_MILLIS} ms before the window ends and a script call re-reads Redis' clock
 * at least every {@value #SYNC_MILLIS} ms. The bound is unchanged: the count in Redis is the one
 * the script keeps, and only grows.
 *
 * <p>Bounded: at most {@code capacity} requests are tracked; when full, ended leases are swept (at
 * most once per {@value RejectedCache#SWEEP_INTERVAL_MILLIS} ms), and a request that finds no room
 * is decided by Redis alone.
 */
final class Leases {

  /** The longest a lease lives (and how recent a first request must be for the next to lease). */
  static final long LEASE_MILLIS = 1_000;

  private final int permits;
  private final int capacity;
  private final Map<AcquireRequest, Lease> byRequest = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

  /**
   * What is left of one lease; {@code left == 0} only marks the request as seen recently.
   *
   * @param result Redis' answer to the call that took the lease
   * @param taken how many requests that call took
   */
  private record Lease(
      AcquireResult result,
      int taken,
      AtomicInteger left,
      long localMillis,
      long validMillis,
      long syncedMillis) {}

  Leases(int permits, int capacity) {
    this.permits = permits;
    this.capacity = capacity;
  }

  /** An admission from a lease of this server at {@code nowMillis}, or null if there is none. */
  @Nullable AcquireResult spend(AcquireRequest request, long nowMillis) {
    Lease lease = byRequest.get(request);
    if (lease == null || lease.left.get() <= 0) {
      return null;
    }
    long elapsed = nowMillis - lease.localMillis;
    if (elapsed < 0 || elapsed >= lease.validMillis) {
      byRequest.remove(request, lease);
      return null;
    }
    int left = lease.left.getAndDecrement();
    if (left <= 0) {
      return null; // another thread took the last one
    }
    // What this client can still get here: Redis' remaining plus this lease's unused permits.
    long unused = (long) (left - 1) * request.cost();
    List<LimitUsage> usages = new ArrayList<>(lease.result.usages().size());
    for (LimitUsage u : lease.result.usages()) {
      usages.add(
          new LimitUsage(
              u.limit(),
              Math.min(u.limit().quota(), u.remaining() + unused),
              Math.max(0, u.resetMillis() - elapsed),
              0));
    }
    return new AcquireResult(true, lease.result.nowMillis() + elapsed, usages);
  }

  /**
   * What renewing a lease needs: one {@code BITFIELD} that adds {@code ask} requests' cost to the
   * window's count if its state still starts at {@code windowStart} (see {@link Decider#renew}).
   *
   * @param redisMillis Redis' clock now, as this server reckons it from the lease's answer
   */
  record Renewal(Limit limit, long windowStart, long redisMillis, int ask, long syncedMillis) {}

  /**
   * How long renewals may go on after the script call whose reply told this server Redis' clock:
   * each renewal reckons Redis' clock from that reply and this server's elapsed time, and clocks
   * drift apart (at 100 ppm, 6 ms a minute).
   */
  static final long SYNC_MILLIS = 60_000;

  /**
   * How long before the end of its window (as this server reckons Redis' clock) a lease is no
   * longer renewed, so that a renewal does not reach Redis after the window ended there.
   */
  static final long WINDOW_MARGIN_MILLIS = 50;

  /**
   * How to renew {@code request}'s lease with one command instead of a script call, or null if the
   * script must decide: {@code request} is one fixed window counted at decision (the caller
   * checks), this server holds a lease of it from Redis whose window has not ended, and half of
   * what Redis last said was left covers at least one request (near the end of the quota the script
   * decides, as it takes at most half of what is left).
   *
   * @param wanted how many requests to ask for at most ({@link #toAsk})
   */
  @Nullable Renewal renewal(AcquireRequest request, int wanted, long nowMillis) {
    Lease lease = byRequest.get(request);
    if (lease == null || request.cost() <= 0) {
      return null;
    }
    long elapsed = nowMillis - lease.localMillis;
    LimitUsage u = lease.result.usages().get(0);
    if (elapsed < 0
        || elapsed >= lease.validMillis
        || u.resetMillis() - elapsed <= WINDOW_MARGIN_MILLIS
        || nowMillis - lease.syncedMillis >= SYNC_MILLIS) {
      return null;
    }
    long ask = Math.min(wanted, u.remaining() / (2L * request.cost()));
    if (ask < 1) {
      return null;
    }
    long redisMillis = lease.result.nowMillis() + elapsed;
    long windowStart = lease.result.nowMillis() + u.resetMillis() - u.limit().windowMillis();
    return new Renewal(u.limit(), windowStart, redisMillis, (int) ask, lease.syncedMillis);
  }

  /**
   * Redis' answer to the call that took a lease of {@code taken} requests, as this request sees it:
   * the permits this server now holds are still the client's, so they count as remaining.
   */
  static AcquireResult asTaker(AcquireResult result, int taken, int cost) {
    long unused = (long) (taken - 1) * cost;
    List<LimitUsage> usages = new ArrayList<>(result.usages().size());
    for (LimitUsage u : result.usages()) {
      usages.add(
          new LimitUsage(
              u.limit(), Math.min(u.limit().quota(), u.remaining() + unused), u.resetMillis(), 0));
    }
    return new AcquireResult(true, result.nowMillis(), usages);
  }

  /**
   * How many requests to ask Redis for: 1 for a request not seen here in the last {@value
   * #LEASE_MILLIS} ms; else what this server used since its last call to Redis for it, scaled to
   * half a lease's lifetime, up to the lease. A client that is busy on this server gets the whole
   * lease; one that calls here now and then gets none, so that few permits go unused.
   */
  int toAsk(AcquireRequest request, long nowMillis) {
    if (request.cost() == 0) {
      return 1;
    }
    Lease seen = byRequest.get(request);
    if (seen == null) {
      return 1;
    }
    long since = nowMillis - seen.localMillis;
    if (since < 0 || since >= LEASE_MILLIS) {
      return 1;
    }
    long used = seen.taken - Math.max(0, seen.left.get());
    long want = used * (LEASE_MILLIS / 2) / Math.max(1, since);
    return (int) Math.max(1, Math.min(permits, want));
  }

  /**
   * Records Redis' answer to a request sent at {@code sentMillis} that took {@code taken} requests.
   */
  void record(AcquireRequest request, AcquireResult result, int taken, long sentMillis) {
    record(request, result, taken, sentMillis, sentMillis);
  }

  /**
   * As {@link #record(AcquireRequest, AcquireResult, int, long)}, for a renewal whose reckoning of
   * Redis' clock comes from the script's reply received by {@code syncedMillis}.
   */
  void record(
      AcquireRequest request, AcquireResult result, int taken, long sentMillis, long syncedMillis) {
    if (request.cost() == 0) {
      return;
    }
    long valid = LEASE_MILLIS;
    for (LimitUsage u : result.usages()) {
      if (u.limit().algorithm() == Algorithm.FIXED_WINDOW && u.resetMillis() > 0) {
        valid =
            Math.min(valid, u.resetMillis()); // a permit of this window is never used in the next
      }
    }
    Lease lease =
        new Lease(
            result,
            taken,
            new AtomicInteger(Math.max(0, taken - 1)),
            sentMillis,
            valid,
            syncedMillis);
    if (!byRequest.containsKey(request) && byRequest.size() >= capacity && !sweep(sentMillis)) {
      return;
    }
    Lease replaced = byRequest.put(request, lease);
    if (replaced != null) {
      replaced.left.set(
          0); // one live lease per request: what two racing calls took beyond it stays unused
    }
  }

  int size() {
    return byRequest.size();
  }

  private boolean sweep(long nowMillis) {
    long due = nextSweep.get();
    if ((due == Long.MIN_VALUE || nowMillis - due >= 0)
        && nextSweep.compareAndSet(due, nowMillis + RejectedCache.SWEEP_INTERVAL_MILLIS)) {
      byRequest
          .values()
          .removeIf(
              l ->
                  nowMillis - l.localMillis >= Math.max(LEASE_MILLIS, l.validMillis)
                      || nowMillis < l.localMillis);
    }
    return byRequest.size() < capacity;
  }
}
