package dev.tollgate.core.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.Limit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The passes {@link InMemoryStore} makes over a request's limit states with the request's entries
 * locked: a decision checks every limit, then settles all of them (consuming from all or none); a
 * charge after the response adds or refunds units. Stateless.
 */
final class StatePasses {

  private StatePasses() {}

  /**
   * A decision's first pass: moves every state to {@code now} and notes what it has available (in
   * the remaining slot of {@code usage}).
   *
   * @param single the one entry of every spec, or null to use {@code entries}
   * @param entries the entry of each spec, when they differ
   * @return true if every limit has what the request needs
   */
  static boolean check(
      BucketSpec[] specs,
      @Nullable ClientEntry single,
      ClientEntry @Nullable [] entries,
      int cost,
      long[] usage,
      long now) {
    boolean admitted = true;
    int n = 0;
    for (int b = 0; b < specs.length; b++) {
      RuleState rs = (single != null ? single : requireNonNull(entries)[b]).state(specs[b], now);
      if (rs.lastUsed != now) {
        rs.lastUsed = now; // written once a millisecond at most: see FixedWindow.advance
      }
      List<Limit> limits = specs[b].limits;
      boolean @Nullable [] after = specs[b].afterResponse;
      for (int l = 0; l < limits.size(); l++, n++) {
        LimitState state = rs.state(l);
        Limit limit = limits.get(l);
        state.advance(limit, now);
        long available = state.available(limit, now);
        usage[1 + 3 * n] = available;
        if (available < (after == null ? cost : specs[b].need(l, cost))) {
          admitted = false;
        }
      }
    }
    return admitted;
  }

  /**
   * A rejection decided by reading alone: true if {@code entry}'s states are current (nothing for
   * {@link #check} to create, conform or move to {@code now}) and some limit lacks what the request
   * needs, with {@code usage} filled in as {@link #settle} would; false if the request may be
   * admitted or a state needs a write, and then the lock decides. Runs without the lock under a
   * stamp: what it reads is only known consistent once the caller has validated the stamp, and it
   * must not throw on a half-written state.
   */
  static boolean rejectsAsIs(
      BucketSpec[] specs, ClientEntry entry, int cost, long[] usage, long now) {
    if (cost <= 0) {
      return false; // a zero cost only reports, and is never rejected
    }
    boolean admitted = true;
    int n = 0;
    for (BucketSpec spec : specs) {
      RuleState rs = entry.existing(spec.rule);
      if (rs == null || spec.countRejected || rs.lastUsed != now || !rs.follows(spec.limits)) {
        return false;
      }
      List<Limit> limits = spec.limits;
      boolean @Nullable [] after = spec.afterResponse;
      for (int l = 0; l < limits.size(); l++, n++) {
        LimitState state = rs.stateIfHeld(l);
        Limit limit = limits.get(l);
        if (state == null || !state.currentAt(limit, now)) {
          return false;
        }
        long need = after == null ? cost : spec.need(l, cost);
        long available = state.available(limit, now);
        long reset = state.resetMillis(limit, now);
        usage[1 + 3 * n] = available;
        usage[2 + 3 * n] = reset;
        if (available < need) {
          admitted = false;
          usage[3 + 3 * n] = Math.max(Math.max(1, reset), state.retryAfterMillis(limit, now, need));
        } else {
          usage[3 + 3 * n] = 0;
        }
      }
    }
    return !admitted;
  }

  /**
   * A decision's second pass, after {@link #check}: consumes {@code cost} from every limit charged
   * on admission if the request is admitted (or its rule counts rejections), and fills in each
   * limit's remaining units, reset and retry-after milliseconds.
   */
  static void settle(
      BucketSpec[] specs,
      @Nullable ClientEntry single,
      ClientEntry @Nullable [] entries,
      int cost,
      long[] usage,
      long now,
      boolean admitted) {
    int n = 0;
    for (int b = 0; b < specs.length; b++) {
      BucketSpec spec = specs[b];
      RuleState rs = (single != null ? single : requireNonNull(entries)[b]).state(spec, now);
      boolean consume = cost > 0 && (admitted || spec.countRejected);
      List<Limit> limits = spec.limits;
      boolean @Nullable [] after = spec.afterResponse;
      for (int l = 0; l < limits.size(); l++, n++) {
        Limit limit = limits.get(l);
        LimitState state = rs.state(l);
        long need = after == null ? cost : spec.need(l, cost);
        boolean rejecting = usage[1 + 3 * n] < need;
        if (consume && (after == null || !after[l])) {
          state.consume(limit, now, cost);
        }
        long reset = state.resetMillis(limit, now);
        usage[1 + 3 * n] = state.available(limit, now);
        usage[2 + 3 * n] = reset;
        usage[3 + 3 * n] =
            rejecting ? Math.max(Math.max(1, reset), state.retryAfterMillis(limit, now, need)) : 0;
      }
    }
  }

  /**
   * Charges {@code amounts[n]} units to the {@code n}th limit over all {@code specs}: a positive
   * amount is consumed, a negative one refunded as taken at {@code admittedAt}, and a zero one
   * leaves the limit alone.
   */
  static void charge(
      BucketSpec[] specs, ClientEntry[] entries, long[] amounts, long admittedAt, long now) {
    int n = 0;
    for (int b = 0; b < specs.length; b++) {
      List<Limit> limits = specs[b].limits;
      RuleState rs = null;
      for (int l = 0; l < limits.size(); l++, n++) {
        long amount = amounts[n];
        if (amount == 0) {
          continue;
        }
        if (rs == null) {
          rs = entries[b].state(specs[b], now);
          rs.lastUsed = Math.max(rs.lastUsed, now);
        }
        Limit limit = limits.get(l);
        LimitState state = rs.state(l);
        state.advance(limit, now);
        if (amount > 0) {
          state.consume(limit, now, amount);
        } else {
          state.refund(limit, now, -amount, admittedAt);
        }
      }
    }
  }
}
