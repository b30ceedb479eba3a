package dev.tollgate.redis;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What a server answers without asking Redis, and what it learns from Redis' answers to do so:
 * admissions from its quota leases ({@link Leases}, opt-in) and rejections Redis has just given
 * ({@link RejectedCache}), each counted for metrics.
 */
final class LocalAnswers {

  /** Rejections repeated without Redis until the client's state can change; null when disabled. */
  private final @Nullable RejectedCache rejections;

  /** Quota leases; null when off, the default. */
  private final @Nullable Leases leases;

  private final LongAdder localRejections = new LongAdder();
  private final LongAdder leasedAdmissions = new LongAdder();

  LocalAnswers(@Nullable RejectedCache rejections, @Nullable Leases leases) {
    this.rejections = rejections;
    this.leases = leases;
  }

  /** Whether {@code request} may use a lease: leasing is on and nothing of it is charged later. */
  boolean leasable(AcquireRequest request) {
    // A lease spends request permits locally; a budget charged after the response must be asked of
    // Redis on every request, so such requests are never leased (looked at only when leasing is
    // on).
    return leases != null && !chargedAfterResponse(request);
  }

  private static boolean chargedAfterResponse(AcquireRequest request) {
    for (Bucket b : request.buckets()) {
      if (b.requestsAfterResponse()) {
        return true;
      }
      for (Limit l : b.limits()) {
        if (l.unit().chargedAfterResponse()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The answer to {@code request} at {@code localMillis} without Redis: an admission from a lease
   * (if {@code leasable}) or a rejection Redis gave and would give again; null if Redis decides.
   */
  @Nullable AcquireResult answer(AcquireRequest request, boolean leasable, long localMillis) {
    if (leasable && leases != null) {
      AcquireResult leased = leases.spend(request, localMillis);
      if (leased != null) {
        leasedAdmissions.increment();
        return leased;
      }
    }
    if (rejections != null && request.cost() > 0) {
      AcquireResult known = rejections.answer(request, localMillis);
      if (known != null) {
        localRejections.increment();
        return known;
      }
    }
    return null;
  }

  /** How many requests' cost to ask Redis for: 1 unless {@code request} is leased. */
  int toAsk(AcquireRequest request, boolean leasable, long localMillis) {
    return leasable && leases != null ? leases.toAsk(request, localMillis) : 1;
  }

  /**
   * How to renew {@code request}'s lease with one command ({@link Leases#renewal}), or null: only
   * for a request of one fixed window counted at decision that asks for more than itself.
   */
  Leases.@Nullable Renewal renewal(AcquireRequest request, int toAsk, long localMillis) {
    if (toAsk <= 1 || leases == null || !AcquireScript.shortForm(request.buckets())) {
      return null;
    }
    return leases.renewal(request, toAsk, localMillis);
  }

  /**
   * Learns from Redis' answer to {@code request}, sent at {@code sentMillis}, that took {@code
   * taken} requests' cost; returns the answer as this request sees it.
   */
  AcquireResult learn(
      AcquireRequest request, boolean leasable, AcquireResult result, int taken, long sentMillis) {
    if (rejections != null) {
      rejections.record(request, result, sentMillis);
    }
    if (leasable && leases != null && result.admitted()) {
      leases.record(request, result, taken, sentMillis);
      if (taken > 1) {
        return Leases.asTaker(result, taken, request.cost());
      }
    }
    return result;
  }

  /**
   * Learns from a renewal ({@link Decider#renew}) that took {@code taken} requests at {@code
   * sentMillis}, reckoning Redis' clock from a script reply received by {@code syncedMillis};
   * returns the answer as this request sees it.
   */
  AcquireResult learnRenewal(
      AcquireRequest request, AcquireResult result, int taken, long sentMillis, long syncedMillis) {
    if (leases == null) {
      return result;
    }
    leases.record(request, result, taken, sentMillis, syncedMillis);
    return taken > 1 ? Leases.asTaker(result, taken, request.cost()) : result;
  }

  /** Something else changes the counts of {@code buckets}' clients: their rejections may lift. */
  void forget(List<Bucket> buckets) {
    if (rejections != null) {
      rejections.forget(buckets);
    }
  }

  long localRejectionCount() {
    return localRejections.sum();
  }

  long leasedAdmissionCount() {
    return leasedAdmissions.sum();
  }

  int rejectionsRemembered() {
    return rejections == null ? 0 : rejections.size();
  }
}
