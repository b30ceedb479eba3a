package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import java.util.List;

/**
 * One client's counting state under one rule: a state per limit. Guarded by its own monitor, so
 * clients never contend with each other.
 */
final class ClientState {

  private List<Limit> limits;
  private LimitState[] states;
  private long idleMillis;
  /** Set (under this state's lock) when the store drops the state; holders must look it up again. */
  private boolean retired;

  ClientState(List<Limit> limits) {
    this.limits = limits;
    this.states = new LimitState[limits.size()];
    for (int i = 0; i < states.length; i++) {
      states[i] = LimitState.create(limits.get(i));
    }
    this.idleMillis = idle(limits);
  }

  /**
   * Adopts a changed list of limits (a reload): a limit whose {@link Limit#stateId()} is unchanged
   * keeps its counts, so a quota change leaves each client's usage as it was.
   */
  void conform(List<Limit> newLimits, long now) {
    if (newLimits == limits || newLimits.equals(limits)) {
      limits = newLimits;
      return;
    }
    LimitState[] next = new LimitState[newLimits.size()];
    for (int i = 0; i < next.length; i++) {
      String id = newLimits.get(i).stateId();
      for (int j = 0; j < states.length; j++) {
        if (states[j] != null && limits.get(j).stateId().equals(id)) {
          next[i] = states[j];
          if (limits.get(j).quota() != newLimits.get(i).quota()) {
            next[i].requota(limits.get(j), newLimits.get(i), now);
          }
          states[j] = null;
          break;
        }
      }
      if (next[i] == null) {
        next[i] = LimitState.create(newLimits.get(i));
      }
    }
    limits = newLimits;
    states = next;
    idleMillis = idle(newLimits);
  }

  boolean retired() {
    return retired;
  }

  void retire() {
    retired = true;
  }

  List<Limit> limits() {
    return limits;
  }

  LimitState state(int i) {
    return states[i];
  }

  long idleMillis() {
    return idleMillis;
  }

  private static long idle(List<Limit> limits) {
    long max = 0;
    for (Limit l : limits) {
      max = Math.max(max, LimitState.idleMillis(l));
    }
    return max;
  }
}
