package dev.tollgate.core.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.Limit;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One client's counting state under one rule: a state per limit. The first limit's state is this
 * object's own ({@code RuleState extends LimitState}), the second's an object in a field, and only
 * the others are objects in an array, so that the common one-limit rule costs no second object (and
 * no pointer to follow per decision) and the common two-limit rule (a minute and a day) no array
 * (24 bytes, and a pointer to follow per decision); the idle time is whole seconds in an int.
 *
 * <p>{@link ClientEntry} extends this class and holds the first rule its client used in its own
 * fields: the common client of one rule and one limit is then one object. Such a held slot is empty
 * while {@link #rule} is null.
 */
class RuleState extends LimitState {
  /** The rule counted here; null only in a {@link ClientEntry} whose own slot is empty. */
  @Nullable String rule;

  private List<Limit> limits = List.of();

  /** The state of the second limit; null while there is at most one. */
  private @Nullable LimitState second;

  /** The states of the limits after the second; null while there are at most two. */
  private LimitState @Nullable [] rest;

  /** The longest window in seconds (a rolling window adds its precision). */
  private int idleSeconds;

  /** The clock at the last decision; a backwards jump makes it look recent, never idle. */
  long lastUsed;

  /** An empty slot (a client entry's, until its first rule). */
  RuleState() {}

  RuleState(String rule, List<Limit> limits) {
    hold(rule, limits);
  }

  /** Starts counting {@code rule} afresh in this slot. Locked. */
  final void hold(String rule, List<Limit> limits) {
    @Nullable LimitState next = limits.size() > 1 ? new LimitState() : null;
    LimitState @Nullable [] more = null;
    if (limits.size() > 2) {
      more = new LimitState[limits.size() - 2];
      for (int i = 0; i < more.length; i++) {
        more[i] = new LimitState();
      }
    }
    // A reader without the lock may see these plain writes in any order (the rule with the states
    // of the rule before, say): it must not throw on that, and its stamp then fails to validate.
    reset();
    this.second = next;
    this.rest = more;
    this.limits = limits;
    this.idleSeconds = idleSeconds(limits);
    this.lastUsed = 0;
    this.rule = rule;
  }

  /** Empties this slot. Locked. */
  final void clear() {
    rule = null;
    limits = List.of();
    reset();
    second = null;
    rest = null;
    idleSeconds = 0;
  }

  /** True if this slot counts {@code rule}; read without the lock too, so each field once. */
  final boolean counts(String rule) {
    String held = this.rule;
    return held != null && (held == rule || held.equals(rule));
  }

  /**
   * Adopts a changed list of limits (a reload): a limit whose {@link Limit#stateId()} is unchanged
   * keeps its counts, so a quota change leaves each client's usage as it was.
   */
  final void conform(List<Limit> newLimits, long now) {
    if (newLimits == limits) {
      return;
    }
    if (newLimits.equals(limits)) {
      limits = newLimits;
      return;
    }
    @Nullable LimitState[] states = new LimitState[limits.size()];
    for (int j = 0; j < states.length; j++) {
      states[j] = state(j);
    }
    if (states.length > 0) {
      // The first limit's state is this object's own, which the first new limit's takes over:
      // kept apart while the states are matched.
      LimitState own = new LimitState();
      own.takeFrom(this);
      states[0] = own;
    }
    LimitState[] next = new LimitState[newLimits.size()];
    for (int i = 0; i < next.length; i++) {
      String id = newLimits.get(i).stateId();
      for (int j = 0; j < states.length; j++) {
        LimitState old = states[j];
        if (old != null && limits.get(j).stateId().equals(id)) {
          next[i] = old;
          if (limits.get(j).quota() != newLimits.get(i).quota()) {
            old.requota(limits.get(j), newLimits.get(i), now);
          }
          states[j] = null;
          break;
        }
      }
      if (next[i] == null) {
        next[i] = new LimitState();
      }
    }
    limits = newLimits;
    if (next.length > 0) {
      takeFrom(next[0]);
    } else {
      reset();
    }
    second = next.length > 1 ? next[1] : null;
    rest = next.length > 2 ? Arrays.copyOfRange(next, 2, next.length) : null;
    idleSeconds = idleSeconds(newLimits);
  }

  /** The state of limit {@code i}, which exists. */
  final LimitState state(int i) {
    return requireNonNull(stateIfHeld(i));
  }

  /**
   * True if the states follow {@code limits} as they are: {@link #conform} would change nothing.
   */
  final boolean follows(List<Limit> limits) {
    return this.limits == limits;
  }

  /**
   * The state of limit {@code i}, or null: a read under a stamp, which may find the states half
   * conformed to other limits and so must not throw.
   */
  final @Nullable LimitState stateIfHeld(int i) {
    if (i == 0) {
      return this;
    }
    if (i == 1) {
      return second;
    }
    LimitState[] more = rest;
    return more != null && i - 2 < more.length ? more[i - 2] : null;
  }

  /** True if no decision has been made for the longest window (the state would be fresh). */
  final boolean idleAt(long now) {
    return now - lastUsed >= idleSeconds * 1_000L;
  }

  /** The limit with the largest used share, or null if nothing is used. Locked. */
  final @Nullable ClientUsage heaviest(String client, long now) {
    String counted = rule;
    if (counted == null) {
      return null;
    }
    @Nullable ClientUsage heaviest = null;
    for (int i = 0; i < limits.size(); i++) {
      Limit limit = limits.get(i);
      LimitState s = state(i);
      s.advance(limit, now);
      long used = limit.quota() - s.available(limit, now);
      ClientUsage u = new ClientUsage(counted, client, limit, used);
      if (heaviest == null || u.usedShare() > heaviest.usedShare()) {
        heaviest = u;
      }
    }
    return heaviest != null && heaviest.used() > 0 ? heaviest : null;
  }

  static int idleSeconds(List<Limit> limits) {
    long max = 0;
    for (Limit l : limits) {
      max = Math.max(max, LimitState.idleMillis(l));
    }
    // Windows and precisions are whole seconds, a window at most 366 days: exact, and it fits.
    return Math.toIntExact((max + 999) / 1_000);
  }
}
