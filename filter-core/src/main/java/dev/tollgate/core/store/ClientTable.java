package dev.tollgate.core.store;

import dev.tollgate.core.internal.DigestCache;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory store's clients by key, at most a bound of them: an open-addressing hash table of
 * {@link ClientEntry}s with linear probing, read without a lock and changed under one.
 *
 * <p>Why not a general cache: a client costs one array slot (4 to 8 bytes at a load factor of at
 * most a half) besides its entry, where a concurrent map adds a node, and Caffeine a node of its
 * own and a read buffer (about 80 bytes and two pointers to follow per look-up).
 *
 * <p>What it keeps of the cache it replaces:
 *
 * <ul>
 *   <li><em>One live entry per key.</em> An entry leaves the table only retired under its own lock
 *       (so a request that still holds it looks the client up again), and a new entry is created
 *       only under the table's lock after a look-up under it found none. A look-up without the lock
 *       may miss an entry that a removal is moving; it is then repeated under the lock.
 *   <li><em>The bound.</em> Every insert that takes the table beyond it evicts one entry before the
 *       lock is released.
 *   <li><em>Frequency-based admission (TinyLFU).</em> A new entry first waits in a small window (a
 *       hundredth of the bound) in order of arrival; the entry leaving the window is kept only if
 *       it was seen more often lately than the least frequent of a few sampled entries, which is
 *       then evicted instead. So a flood of keys seen once evicts one another, not the clients that
 *       call regularly.
 * </ul>
 *
 * <p>Keys are placed by SipHash-1-3 of their text under a key drawn at random for the table, not by
 * {@code String.hashCode}: keys can be chosen by clients (a principal's name, an API key whose
 * digest is tried offline), and keys of one {@code hashCode} or one slot range would build a probe
 * run that every look-up and insert then walks. The recent-entry slots in front of the table use
 * {@code hashCode}; a collision there costs a look-up in the table, no more.
 */
final class ClientTable {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(ClientEntry[].class);

  /** The entries compared as victims of an eviction. */
  private static final int SAMPLE = 8;

  /** The most slots: the table never holds more than half of them. */
  private static final int MAX_SLOTS = 1 << 30;

  /** The largest bound a table takes: half its most slots, so a probe always finds a free one. */
  static final long MAX_CLIENTS = MAX_SLOTS / 2;

  private final int maxClients;

  /** Guarded by {@code this}; replaced (never changed in place) when it grows. */
  private volatile ClientEntry[] slots;

  private int size; // guarded by this

  /** New entries in order of arrival, a ring; guarded by this. */
  private final ClientEntry[] window;

  private int windowNext; // guarded by this

  /** Counted on {@link #recordAccess}, which may run concurrently. */
  private final FrequencySketch sketch;

  private final ToIntFunction<String> hash;

  /** A table of at most {@code maxClients} entries, from 1 to {@link #MAX_CLIENTS}. */
  ClientTable(long maxClients) {
    this(maxClients, sipHash());
  }

  /** With {@code hash} to place keys; tests give {@code String::hashCode} to build probe runs. */
  ClientTable(long maxClients, ToIntFunction<String> hash) {
    if (maxClients < 1 || maxClients > MAX_CLIENTS) {
      // The store validates first; a bound capped here would be smaller than the one reported.
      throw new IllegalArgumentException("maxClients out of range: " + maxClients);
    }
    this.maxClients = (int) maxClients;
    this.slots = new ClientEntry[64];
    this.window = new ClientEntry[windowLength(this.maxClients)];
    this.sketch = new FrequencySketch(Math.min(this.maxClients, 1024));
    this.hash = hash;
  }

  private static ToIntFunction<String> sipHash() {
    SecureRandom random = new SecureRandom();
    long k0 = random.nextLong();
    long k1 = random.nextLong();
    return client -> (int) DigestCache.sipHash13(k0, k1, client);
  }

  /**
   * A hundredth of the bound, at most 4,096; but at least 16 (or half the bound if that is less),
   * so that the new clients of one request (one per rule with its own client key) do not push one
   * another out of the window and into the comparison while the request looks them up.
   */
  static int windowLength(int maxClients) {
    return Math.max(1, Math.min(4096, Math.max(maxClients / 100, Math.min(16, maxClients / 2))));
  }

  /** The entry of {@code client}, or null; may miss one that a concurrent removal is moving. */
  @Nullable ClientEntry getIfPresent(String client) {
    return find(slots, client, hash(client));
  }

  private int hash(String client) {
    return hash.applyAsInt(client);
  }

  /** The slots a look-up of {@code client} reads, its own included. For tests. */
  int probeLength(String client) {
    ClientEntry[] table = slots;
    int h = hash(client);
    int mask = table.length - 1;
    int n = 1;
    for (int i = spread(h) & mask; ; i = (i + 1) & mask, n++) {
      ClientEntry e = table[i];
      if (e == null || (e.hash == h && e.client.equals(client))) {
        return n;
      }
    }
  }

  private static @Nullable ClientEntry find(ClientEntry[] table, String client, int hash) {
    int mask = table.length - 1;
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      ClientEntry e = (ClientEntry) SLOTS.getAcquire(table, i);
      if (e == null) {
        return null;
      }
      if (e.hash == hash && e.client.equals(client)) {
        return e;
      }
    }
  }

  /**
   * The entry of {@code client}, created if there is none. Not counted as a visit: the caller's
   * decision is ({@link #recordAccess}).
   */
  ClientEntry get(String client) {
    ClientEntry found = getIfPresent(client);
    return found != null ? found : getOrCreate(client);
  }

  private synchronized ClientEntry getOrCreate(String client) {
    int hash = hash(client);
    ClientEntry found = find(slots, client, hash);
    if (found != null) {
      return found;
    }
    ClientEntry created = new ClientEntry(client, hash);
    if (2 * (size + 1) > slots.length) {
      grow();
    }
    insert(slots, created);
    size++;
    ClientEntry leaving = window[windowNext];
    window[windowNext] = created;
    windowNext = windowNext + 1 == window.length ? 0 : windowNext + 1;
    if (size > maxClients) {
      evictOne(leaving, created);
    }
    return created;
  }

  /**
   * Evicts the entry leaving the window, or the least frequent of a sample if that one was seen
   * more often; without a candidate (it is gone already), the sample's least frequent. Never {@code
   * created}, the entry its caller is about to use, unless it is the only one.
   */
  private void evictOne(@Nullable ClientEntry leaving, ClientEntry created) {
    ClientEntry candidate = leaving != null && !leaving.retiredVolatile() ? leaving : null;
    ClientEntry victim = leastFrequentSampled(candidate, created);
    if (candidate != null
        && (victim == null || sketch.frequency(candidate.hash) <= sketch.frequency(victim.hash))) {
      victim = candidate;
    }
    if (victim == null) {
      victim = created; // a bound of one, taken by this client
    }
    victim.lock();
    victim.retire();
    victim.unlock();
    remove(victim);
  }

  /** The least frequent of up to {@link #SAMPLE} entries from a random slot on, or null. */
  private @Nullable ClientEntry leastFrequentSampled(
      @Nullable ClientEntry candidate, ClientEntry created) {
    ClientEntry[] table = slots;
    int mask = table.length - 1;
    int start = ThreadLocalRandom.current().nextInt(table.length);
    ClientEntry least = null;
    int leastFrequency = Integer.MAX_VALUE;
    int seen = 0;
    for (int n = 0, i = start; n < table.length && seen < SAMPLE; n++, i = (i + 1) & mask) {
      ClientEntry e = table[i];
      if (e == null || e == candidate || e == created) {
        continue;
      }
      seen++;
      int f = sketch.frequency(e.hash);
      if (f < leastFrequency) {
        least = e;
        leastFrequency = f;
      }
    }
    return least;
  }

  /** Counts a visit of {@code entry}'s client, for admission. */
  void recordAccess(ClientEntry entry) {
    sketch.increment(entry.hash);
  }

  /**
   * Removes {@code entry} if the table still holds it. The caller has retired it under its lock.
   */
  synchronized void remove(ClientEntry entry) {
    ClientEntry[] table = slots;
    int mask = table.length - 1;
    int i = spread(entry.hash) & mask;
    while (true) {
      ClientEntry e = table[i];
      if (e == null) {
        return; // removed already
      }
      if (e == entry) {
        break;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: later entries of the probe run move up into the gap, so that no
    // tombstones build up. A reader without the lock may miss a moving entry, and then looks again
    // under the lock.
    int gap = i;
    for (int j = (gap + 1) & mask; ; j = (j + 1) & mask) {
      ClientEntry e = table[j];
      if (e == null) {
        break;
      }
      int home = spread(e.hash) & mask;
      // e may fill the gap if its home is not cyclically within (gap, j].
      boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
      if (movable) {
        SLOTS.setRelease(table, gap, e);
        gap = j;
      }
    }
    SLOTS.setRelease(table, gap, (ClientEntry) null);
    size--;
  }

  private static void insert(ClientEntry[] table, ClientEntry entry) {
    int mask = table.length - 1;
    int i = spread(entry.hash) & mask;
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    SLOTS.setRelease(table, i, entry);
  }

  private void grow() {
    ClientEntry[] old = slots;
    int length = Math.min(MAX_SLOTS, slotsFor(size + 1));
    if (length <= old.length) {
      return;
    }
    ClientEntry[] grown = new ClientEntry[length];
    for (ClientEntry e : old) {
      if (e != null) {
        insert(grown, e);
      }
    }
    slots = grown; // readers on the old table may miss an entry, and then look under the lock
    sketch.ensureCapacity(Math.min(maxClients, length / 2));
  }

  /** The number of entries held. */
  synchronized int size() {
    return size;
  }

  /** The entries held now, a copy. */
  synchronized List<ClientEntry> entries() {
    List<ClientEntry> out = new ArrayList<>(size);
    for (ClientEntry e : slots) {
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** Slots for {@code n} entries at a load factor of at most a half: a power of two. */
  private static int slotsFor(int n) {
    long wanted = Math.max(64, 2L * n);
    return (int) Math.min(MAX_SLOTS, Long.highestOneBit(wanted - 1) << 1);
  }

  private static int spread(int hash) {
    int h = hash * 0x9E3779B9; // String.hashCode is weak in its low bits
    return h ^ (h >>> 16);
  }
}
