package dev.tollgate.core.internal;

import org.jspecify.annotations.Nullable;

/**
 * A small cache of recent answers for values computed on the request path: two-way set-associative,
 * so a new entry takes the place of the less recently used of its set's two, and bounded by
 * construction. Thread-safe without locks: slots hold immutable entries, and a lost race only costs
 * a recomputation. Internal.
 *
 * @param <V> the cached values
 */
public final class RecentCache<V> {

  private final Entry<V>[] slots;
  private final int mask;

  private static final class Entry<V> {
    final long hash;
    final @Nullable Object key;
    final V value;

    Entry(long hash, @Nullable Object key, V value) {
      this.hash = hash;
      this.key = key;
      this.value = value;
    }

    boolean matches(long h, @Nullable Object k) {
      return hash == h && (key == null || key.equals(k));
    }
  }

  /** A cache of {@code 2 * sets} entries; {@code sets} must be a power of two. */
  @SuppressWarnings("unchecked")
  public RecentCache(int sets) {
    if (Integer.bitCount(sets) != 1) {
      throw new IllegalArgumentException("sets must be a power of two but was " + sets);
    }
    this.slots = (Entry<V>[]) new Entry<?>[2 * sets];
    this.mask = sets - 1;
  }

  /**
   * The value cached for {@code hash} and {@code key}, or null. With a null key the hash alone
   * identifies the entry: only for hashes no client can aim a collision at.
   */
  public @Nullable V get(long hash, @Nullable Object key) {
    int first = set(hash);
    Entry<V> recent = slots[first];
    if (recent != null && recent.matches(hash, key)) {
      return recent.value;
    }
    Entry<V> older = slots[first + 1];
    if (older != null && older.matches(hash, key)) {
      slots[first + 1] = recent; // the hit becomes the more recent of the two
      slots[first] = older;
      return older.value;
    }
    return null;
  }

  /**
   * The first slot of the set of {@code hash}; the hash is mixed, so weak ones (String.hashCode)
   * spread too.
   */
  private int set(long hash) {
    long mixed = hash * 0x9E3779B97F4A7C15L;
    return 2 * ((int) (mixed >>> 32) & mask);
  }

  /** Caches {@code value}, pushing out the less recent entry of its set. */
  public void put(long hash, @Nullable Object key, V value) {
    int first = set(hash);
    slots[first + 1] = slots[first];
    slots[first] = new Entry<>(hash, key, value);
  }
}
