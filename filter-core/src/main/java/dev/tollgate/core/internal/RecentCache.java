package dev.tollgate.core.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A small cache of recent answers for values computed on the request path: four-way
 * set-associative, so a new entry takes the place of the least recently used of its set's four, and
 * bounded by construction. Four ways rather than two: with keys spread at random, the share of keys
 * that land in a set already full of others (and so miss on every turn) falls from about 4% to
 * about 0.4% at the same number of entries and a load of 0.6 keys per set. Thread-safe without
 * locks: slots hold immutable entries, and a lost race only costs a recomputation, except that a
 * {@link #clear()} racing a look-up can leave an entry behind (callers that must forget exactly tag
 * their values, as the plans cache does with a generation). Internal.
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
   * plain array slots, so a subclass's fields must be final, as these are.
   *
   * @param <V> the cached value
   */
  public static class Entry<V> {
    final long hash;
    final @Nullable Object key;
    final V value;

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
    Entry<V> recent = slots[first];
    if (recent != null && recent.matches(hash, key)) {
      return recent; // the common case writes nothing, so readers share the cache line
    }
    for (int i = first + 1; i < first + WAYS; i++) {
      Entry<V> e = slots[i];
      if (e != null && e.matches(hash, key)) {
        // The hit becomes the most recent: the ones before it move one place down.
        System.arraycopy(slots, first, slots, first + 1, i - first);
        slots[first] = e;
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

  /** Caches {@code value}, pushing out the least recent entry of its set. */
  public void put(long hash, @Nullable Object key, V value) {
    put(new Entry<>(hash, key, value));
  }

  /** Caches {@code entry}, pushing out the least recent entry of its set. */
  public void put(Entry<V> entry) {
    int first = set(entry.hash);
    System.arraycopy(slots, first, slots, first + 1, WAYS - 1);
    slots[first] = entry;
  }
}
