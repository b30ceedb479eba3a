package dev.tollgate.core.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.Limit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything the in-memory store keeps for one client key: a counting state per rule the client has
 * used. Guarded by its own lock, so clients never contend with each other and the rules of one
 * client are decided together under one lock.
 *
 * <p>The lock is a spin lock, not a monitor: a decision holds it for a few dozen nanoseconds, and
 * on a hot key a parked monitor costs far more than waiting (a lock convoy). It is not reentrant:
 * nothing that can run the cache's maintenance (which locks evicted entries) may be called while it
 * is held.
 */
final class ClientEntry {

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ClientEntry.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The bit of {@link #state} set while the lock is held. */
  private static final int LOCKED = 1;

  /**
   * The bit of {@link #state} set under the lock when the store drops the entry; holders must look
   * the client up again. In the lock's word rather than a field of its own, so that the entry stays
   * within 32 bytes.
   */
  private static final int RETIRED = 2;

  final String client;

  @SuppressWarnings("unused") // through STATE
  private volatile int state;

  /**
   * The clock (its low 32 bits: equal values 49 days apart only cost one read not told) when the
   * cache last heard of a read of this entry. Guarded by the lock.
   */
  private int recordedAt;

  private @Nullable RuleState first;
  private RuleState @Nullable [] others;

  ClientEntry(String client) {
    this.client = client;
  }

  void lock() {
    // Optimistic: the entry is neither held nor retired, nearly always.
    if (!STATE.compareAndSet(this, 0, LOCKED)) {
      lockContended();
    }
  }

  private void lockContended() {
    int spins = 0;
    while (true) {
      int s = state;
      if ((s & LOCKED) == 0 && STATE.compareAndSet(this, s, s | LOCKED)) {
        return;
      }
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield(); // the holder may have lost its core
      }
    }
  }

  void unlock() {
    STATE.setRelease(this, state & RETIRED); // only the holder writes the word while it is held
  }

  /** Locked. */
  boolean retired() {
    return (state & RETIRED) != 0;
  }

  /** Locked. */
  void retire() {
    state = LOCKED | RETIRED;
  }

  /**
   * Notes a decision at {@code now} and says whether the cache should hear of it as a read: not if
   * the entry was found through the cache (which heard of it then), else the first decision of
   * every millisecond, enough for the cache's frequency sketch (which counts up to 15, halved as it
   * ages) to rank a busy client far above a key seen once. Locked.
   */
  boolean readToRecord(long now, boolean foundWithoutTheCache) {
    int millis = (int) now;
    if (foundWithoutTheCache && millis == recordedAt) {
      return false;
    }
    recordedAt = millis;
    return foundWithoutTheCache;
  }

  /**
   * The distinct entries of {@code entries} in a fixed lock order (by client key), which makes two
   * requests that share entries unable to deadlock.
   */
  static ClientEntry[] distinctInLockOrder(ClientEntry[] entries) {
    List<ClientEntry> distinct = new ArrayList<>(entries.length);
    for (ClientEntry e : entries) {
      if (!distinct.contains(e)) {
        distinct.add(e);
      }
    }
    distinct.sort(Comparator.comparing(e -> e.client));
    return distinct.toArray(new ClientEntry[0]);
  }

  /** True if none of {@code entries} is retired. Locked. */
  static boolean noneRetired(ClientEntry[] entries) {
    for (ClientEntry e : entries) {
      if (e.retired()) {
        return false;
      }
    }
    return true;
  }

  /** This client's state under {@code spec}'s rule, created or conformed to its limits. Locked. */
  RuleState state(BucketSpec spec, long now) {
    RuleState s = find(spec.rule);
    if (s == null) {
      s = new RuleState(spec.rule, spec.limits);
      if (first == null) {
        first = s;
      } else if (others == null) {
        others = new RuleState[] {s};
      } else {
        RuleState[] grown = Arrays.copyOf(others, others.length + 1);
        grown[others.length] = s;
        others = grown;
      }
    } else {
      s.conform(spec.limits, now);
    }
    return s;
  }

  private @Nullable RuleState find(String rule) {
    if (first != null && (first.rule == rule || first.rule.equals(rule))) {
      return first;
    }
    if (others != null) {
      for (RuleState s : others) {
        if (s.rule == rule || s.rule.equals(rule)) {
          return s;
        }
      }
    }
    return null;
  }

  /** The number of rule states held. Locked. */
  int size() {
    return (first == null ? 0 : 1) + (others == null ? 0 : others.length);
  }

  /** The rule state at {@code i} (in order of creation). Locked. */
  RuleState at(int i) {
    // i < size(), so the state is there.
    return i == 0 ? requireNonNull(first) : requireNonNull(others)[i - 1];
  }

  /**
   * Drops the rule states that have been idle for their longest window (they would be fresh again).
   * Locked.
   *
   * @return true if none is left, so the entry itself can go
   */
  boolean dropIdle(long now) {
    int kept = 0;
    RuleState[] all = new RuleState[size()];
    for (int i = 0; i < all.length; i++) {
      RuleState s = at(i);
      if (!s.idleAt(now)) {
        all[kept++] = s;
      }
    }
    first = kept > 0 ? all[0] : null;
    others = kept > 1 ? Arrays.copyOfRange(all, 1, kept) : null;
    return kept == 0;
  }

  /**
   * One client's counting state under one rule: a state per limit. The first limit's state is held
   * directly and only the others in an array, so that the common one-limit rule costs no array (24
   * bytes and a pointer to follow per decision); the idle time is whole seconds in an int, which
   * keeps the object at 40 bytes.
   */
  static final class RuleState {
    final String rule;
    private List<Limit> limits;
    private @Nullable LimitState first;
    private LimitState @Nullable [] rest;

    /** The longest window in seconds (a rolling window adds its precision). */
    private int idleSeconds;

    /** The clock at the last decision; a backwards jump makes it look recent, never idle. */
    long lastUsed;

    RuleState(String rule, List<Limit> limits) {
      this.rule = rule;
      this.limits = limits;
      LimitState[] states = new LimitState[limits.size()];
      for (int i = 0; i < states.length; i++) {
        states[i] = LimitState.create(limits.get(i));
      }
      hold(states);
      this.idleSeconds = idleSeconds(limits);
    }

    private void hold(LimitState[] states) {
      first = states.length > 0 ? states[0] : null;
      rest = states.length > 1 ? Arrays.copyOfRange(states, 1, states.length) : null;
    }

    /**
     * Adopts a changed list of limits (a reload): a limit whose {@link Limit#stateId()} is
     * unchanged keeps its counts, so a quota change leaves each client's usage as it was.
     */
    void conform(List<Limit> newLimits, long now) {
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
          next[i] = LimitState.create(newLimits.get(i));
        }
      }
      limits = newLimits;
      hold(next);
      idleSeconds = idleSeconds(newLimits);
    }

    /** The state of limit {@code i}, which exists. */
    LimitState state(int i) {
      return i == 0 ? requireNonNull(first) : requireNonNull(rest)[i - 1];
    }

    /** True if no decision has been made for the longest window (the state would be fresh). */
    boolean idleAt(long now) {
      return now - lastUsed >= idleSeconds * 1_000L;
    }

    /** The limit with the largest used share, or null if nothing is used. Locked. */
    @Nullable ClientUsage heaviest(String client, long now) {
      @Nullable ClientUsage heaviest = null;
      for (int i = 0; i < limits.size(); i++) {
        Limit limit = limits.get(i);
        LimitState s = state(i);
        s.advance(limit, now);
        long used = limit.quota() - s.available(limit, now);
        ClientUsage u = new ClientUsage(rule, client, limit, used);
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
}
