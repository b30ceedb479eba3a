package dev.tollgate.core.store;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything the in-memory store keeps for one client key: a counting state per rule the client has
 * used, the first in the entry's own fields (inherited from {@link RuleState}) and the others in an
 * array. Guarded by its own lock, so clients never contend with each other and the rules of one
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
final class ClientEntry extends RuleState {

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
   * the client up again. In the lock's word rather than a field of its own: the entry holds its
   * first rule's and first limit's state too, and every field is a client's bytes.
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

  /** The states of the rules after the one held in this entry's own fields. */
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
      if (rule == null) {
        hold(spec.rule, spec.limits);
        return this;
      }
      s = new RuleState(spec.rule, spec.limits);
      if (others == null) {
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
    if (counts(rule)) {
      return this;
    }
    // Read once: existing() reads without the lock.
    RuleState[] more = others;
    if (more != null) {
      for (RuleState s : more) {
        // An element read without the lock may not be seen written yet.
        if (s != null && s.counts(rule)) {
          return s;
        }
      }
    }
    return null;
  }

  /** The number of rule states held. Locked. */
  int size() {
    return (rule == null ? 0 : 1) + (others == null ? 0 : others.length);
  }

  /** The rule state at {@code i}. Locked. */
  RuleState at(int i) {
    if (rule != null) {
      return i == 0 ? this : requireNonNull(others)[i - 1];
    }
    return requireNonNull(others)[i];
  }

  /**
   * Drops the rule states that have been idle for their longest window (they would be fresh again).
   * Locked.
   *
   * @return true if none is left, so the entry itself can go
   */
  boolean dropIdle(long now) {
    if (rule != null && idleAt(now)) {
      clear();
    }
    RuleState[] more = others;
    if (more == null) {
      return rule == null;
    }
    int kept = 0;
    RuleState[] all = new RuleState[more.length];
    for (RuleState s : more) {
      if (!s.idleAt(now)) {
        all[kept++] = s;
      }
    }
    others = kept == 0 ? null : kept == all.length ? more : Arrays.copyOf(all, kept);
    return rule == null && kept == 0;
  }
}
