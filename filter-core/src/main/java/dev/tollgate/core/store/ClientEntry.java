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
 * nothing that can insert into the client table (which locks evicted entries) may be called while
 * it is held.
 *
 * <p>A client over its quota is rejected by reading alone, as a sequence lock reads: every release
 * counts itself in the lock's word, and a read made between two equal looks at the word saw no
 * writer. Under a flood the entry's cache line then stays shared by the cores that read it.
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
   * within 40 bytes.
   */
  private static final int RETIRED = 2;

  /**
   * The bit of {@link #state} set when the last decision made under the lock rejected: a hint that
   * the next one may be decided by reading alone ({@link #stampIfRejecting}).
   */
  private static final int REJECTING = 4;

  /**
   * What each release of the lock adds to {@link #state}: the bits above the flags count releases,
   * so that a reader without the lock can tell whether anything was written while it read. They
   * wrap after 2^29 releases; a reader stalled across exactly a multiple of that (seconds on the
   * hottest key) could validate a stale read, which can only reject once more, never admit.
   */
  private static final int RELEASE = 8;

  final String client;

  /**
   * The client table's hash of the key (seeded, see {@link ClientTable}), here so that a probe of
   * the table does not read the key.
   */
  final int hash;

  @SuppressWarnings("unused") // through STATE
  private volatile int state;

  /**
   * The clock (its low 32 bits: equal values 49 days apart only cost one read not told) when the
   * table last heard of a read of this entry. Guarded by the lock.
   */
  private int recordedAt;

  private @Nullable RuleState first;
  private RuleState @Nullable [] others;

  ClientEntry(String client) {
    this(client, client.hashCode());
  }

  ClientEntry(String client, int hash) {
    this.client = client;
    this.hash = hash;
  }

  void lock() {
    // Optimistic: the entry is not held, nearly always.
    int s = state;
    if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, s | LOCKED)) {
      lockContended();
    }
    // The holder's writes must not be seen before the word says it holds the lock: a reader
    // without the lock would validate a half-written state (as StampedLock does after its CAS).
    VarHandle.storeStoreFence();
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
    // Only the holder writes the word while it is held.
    STATE.setRelease(this, (state & ~LOCKED) + RELEASE);
  }

  /** Releases the lock after a decision, noting whether it rejected. */
  void unlock(boolean rejected) {
    int s = state & ~(LOCKED | REJECTING);
    STATE.setRelease(this, (rejected ? s | REJECTING : s) + RELEASE);
  }

  /**
   * A stamp to read this entry's states without the lock, if its last decision rejected and it is
   * neither held nor retired; else -1 (never a stamp). The reads are only known consistent once
   * {@link #unchangedSince} has said so: until then they may see a half-written state and must not
   * act on it nor throw because of it.
   */
  int stampIfRejecting() {
    int s = (int) STATE.getAcquire(this);
    return (s & (LOCKED | RETIRED | REJECTING)) == REJECTING ? s : -1;
  }

  /** True if the lock has not been taken since {@code stamp}: what was read since is consistent. */
  boolean unchangedSince(int stamp) {
    VarHandle.acquireFence(); // the reads of the states come before the read of the word
    return state == stamp;
  }

  /** Locked. */
  boolean retired() {
    return (state & RETIRED) != 0;
  }

  /**
   * Without the lock: true once the entry is retired (which is never undone); false may be stale.
   */
  boolean retiredVolatile() {
    return ((int) STATE.getAcquire(this) & RETIRED) != 0;
  }

  /** Locked. */
  void retire() {
    state |= RETIRED;
  }

  /**
   * Notes a decision at {@code now} and says whether the table should hear of it as a visit: always
   * when the entry was looked up in the table (as a cache hears of every read), and when it was
   * found in its recent slot, the first decision of every millisecond, enough for the table's
   * frequency sketch (which counts up to 15, halved as it ages) to rank a busy client far above a
   * key seen once, rarely enough to cost nothing on a hot key. Locked.
   */
  boolean readToRecord(long now, boolean foundInRecentSlot) {
    int millis = (int) now;
    if (foundInRecentSlot && millis == recordedAt) {
      return false;
    }
    recordedAt = millis;
    return true;
  }

  /**
   * True if {@link #readToRecord} at {@code now} would neither write nor ask for a read: a decision
   * at that millisecond was recorded already. Read without the lock, under a stamp.
   */
  boolean recordedAt(long now) {
    return recordedAt == (int) now;
  }

  /** This client's state under {@code rule}, or null: a read under a stamp. */
  @Nullable RuleState existing(String rule) {
    return find(rule);
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
    // Each field read once: existing() reads without the lock.
    RuleState one = first;
    if (one != null && (one.rule == rule || one.rule.equals(rule))) {
      return one;
    }
    RuleState[] more = others;
    if (more != null) {
      for (RuleState s : more) {
        // An element read without the lock may not be seen written yet.
        if (s != null && (s.rule == rule || s.rule.equals(rule))) {
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

    /**
     * True if the states follow {@code limits} as they are: {@link #conform} would change nothing.
     */
    boolean follows(List<Limit> limits) {
      return this.limits == limits;
    }

    /**
     * The state of limit {@code i}, or null: a read under a stamp, which may find the states half
     * conformed to other limits and so must not throw.
     */
    @Nullable LimitState stateIfHeld(int i) {
      if (i == 0) {
        return first;
      }
      LimitState[] more = rest;
      return more != null && i - 1 < more.length ? more[i - 1] : null;
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
