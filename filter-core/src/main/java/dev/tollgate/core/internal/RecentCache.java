package dev.tollgate.core.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A small cache of recent answers for values computed on the request path: four-way set-associative
 * and bounded by construction. Four ways rather than two: with keys spread at random, the share of
 * keys that land in a set already full of others (and so miss on every turn) falls from about 4% to
 * about 0.4% at the same number of entries and a load of 0.6 keys per set.
 *
 * <p>A hit writes nothing once its entry is marked as found: every request on every thread reads
 * this cache, and written on hits its lines move between cores. (Kept in least-recently-used order
 * before, a hit outside a set's first slot moved the entry to the front: at 0.6 keys per set nearly
 * half the look-ups of 10,000 clients in turn, a write each.) A new entry takes its key's older
 * entry's slot (and its mark) or an empty slot, else the slot of the first entry not found since
 * the set's marks were last cleared; when every entry of the set was found, the others' marks are
 * cleared and the first slot gives way (not recently used, as processor caches replace). Keys seen
 * once, as in a flood of one-off keys, then take one another's places: a key found again gives way
 * only when every entry of its set was found since the marks were last cleared, and then only the
 * one in the first slot.
 *
 * <p>Thread-safe without locks: slots hold entries whose fields are final but the mark, which only
 * steers replacement, and a lost race only costs a recomputation, except that a {@link #clear()}
 * racing a look-up can leave an entry behind (callers that must forget exactly tag their values, as
 * the plans cache does with a generation). Internal.
 *
 * @param <V> the cached values
 */
public final class RecentCache<V> {

  /** Entries per set. */
  static final int WAYS = 4;

  private final Entry<V>[] slots;
  private final int mask;

  /**
   * A value under its hash and key. A caller may extend it to keep its own fields beside the value:
   * a look-up then loads one object, not an entry and then the value it points to (a dependent
   * cache miss each, once there are thousands of entries). Entries reach other threads through
   * plain array slots, so a subclass's fields must be final, as these are (but for the mark, which
   * only steers replacement).
   *
   * @param <V> the cached value
   */
  public static class Entry<V> {
    final long hash;
    final @Nullable Object key;
    final V value;

    /**
     * Found since it was put or since its set's marks were last cleared. A racy plain field: a lost
     * write only changes which entry gives way next.
     */
    boolean found;

    /** An entry of {@code value} under {@code hash} and {@code key} (null: the hash alone). */
    protected Entry(long hash, @Nullable Object key, V value) {
      this.hash = hash;
      this.key = key;
      this.value = value;
    }

    /** The value. */
    public final V value() {
      return value;
    }

    final boolean matches(long h, @Nullable Object k) {
      return hash == h && (key == null || key.equals(k));
    }
  }

  /** A cache of {@code 4 * sets} entries; {@code sets} must be a power of two. */
  @SuppressWarnings("unchecked")
  public RecentCache(int sets) {
    if (sets <= 0 || sets > 1 << 24 || Integer.bitCount(sets) != 1) {
      throw new IllegalArgumentException(
          "sets must be a power of two from 1 to 2^24 but was " + sets);
    }
    this.slots = (Entry<V>[]) new Entry<?>[WAYS * sets];
    this.mask = sets - 1;
  }

  /**
   * The value cached for {@code hash} and {@code key}, or null. With a null key the hash alone
   * identifies the entry: only for hashes no client can aim a collision at.
   */
  public @Nullable V get(long hash, @Nullable Object key) {
    Entry<V> e = entry(hash, key);
    return e == null ? null : e.value;
  }

  /** The entry cached for {@code hash} and {@code key} (as {@link #get}), or null. */
  public @Nullable Entry<V> entry(long hash, @Nullable Object key) {
    int first = set(hash);
    for (int i = first; i < first + WAYS; i++) {
      Entry<V> e = slots[i];
      if (e != null && e.matches(hash, key)) {
        if (!e.found) {
          e.found = true; // once: later hits write nothing, so the cores share the line
        }
        return e;
      }
    }
    return null;
  }

  /**
   * The first slot of the set of {@code hash}; the hash is mixed, so weak ones (String.hashCode)
   * spread too.
   */
  private int set(long hash) {
    long mixed = hash * 0x9E3779B97F4A7C15L;
    return WAYS * ((int) (mixed >>> 32) & mask);
  }

  /** Forgets every entry. */
  public void clear() {
    Arrays.fill(slots, null);
  }

  /**
   * Caches {@code value}: in place of the key's older entry if there is one, else in an empty slot,
   * else in place of the first entry of its set not found since the set's marks were last cleared,
   * else of the first entry (see the class's description).
   */
  public void put(long hash, @Nullable Object key, V value) {
    put(new Entry<>(hash, key, value));
  }

  /** Caches {@code entry}, as {@link #put(long, Object, Object)} does. */
  public void put(Entry<V> entry) {
    int first = set(entry.hash);
    int taken = -1; // the key's own slot or an empty one, else the first whose entry was not found
    for (int i = first; i < first + WAYS; i++) {
      Entry<V> held = slots[i];
      if (held == null) {
        taken = i;
        break;
      }
      if (held.matches(entry.hash, entry.key)) {
        // A key's older entry would be found first, and its newer one never. A busy key's newer
        // entry (a plan answer renewed each second) keeps its place as the older one had.
        entry.found = held.found;
        taken = i;
        break;
      }
      if (taken < 0 && !held.found) {
        taken = i;
      }
    }
    if (taken < 0) {
      // Every entry was found: all start again unmarked, and the first gives way.
      for (int i = first + 1; i < first + WAYS; i++) {
        Entry<V> held = slots[i];
        if (held != null) {
          held.found = false;
        }
      }
      taken = first;
    }
    slots[taken] = entry;
  }
}
