package dev.tollgate.core.store;

/**
 * How often each client was seen lately, approximately: a count-min sketch of 4-bit counters
 * (TinyLFU's), four per client, halved once the sketch has counted ten times its capacity so that
 * old popularity fades. A client's frequency is the smallest of its four counters, at most 15.
 *
 * <p>Not synchronised: concurrent increments may lose one another, which only makes a frequency a
 * little lower. Memory: a {@code long} (16 counters, 8 bytes) per client of the capacity, as
 * Caffeine's sketch; with half that, collisions made keys seen once look frequent, and a flood of
 * ten times the capacity pushed out a quarter of the regular clients (Caffeine's sizing: 5%).
 */
final class FrequencySketch {

  private static final long RESET_MASK = 0x7777_7777_7777_7777L;

  private long[] table;
  private int additions;
  private int sampleSize;

  FrequencySketch(int capacity) {
    ensureCapacity(capacity);
  }

  /** Resizes (and so forgets) if {@code capacity} clients would crowd the current table. */
  void ensureCapacity(int capacity) {
    int longs = Math.max(8, ceilingPowerOfTwo(Math.max(1, capacity)));
    if (table != null && table.length >= longs) {
      return;
    }
    table = new long[longs];
    additions = 0;
    sampleSize = (int) Math.min(Integer.MAX_VALUE, 10L * Math.max(16, capacity));
  }

  /** The estimated number of times {@code hash} was counted lately, 0 to 15. */
  int frequency(int hash) {
    long[] t = table;
    long h = rehash(hash);
    int block = block(h, t.length);
    int min = 15;
    for (int i = 0; i < 4; i++) {
      int shift = counterShift(h, i);
      min = Math.min(min, (int) ((t[word(block, h, i)] >>> shift) & 15));
    }
    return min;
  }

  /** Counts {@code hash} once more; every tenth-capacity-fold count halves all counters. */
  void increment(int hash) {
    long[] t = table;
    long h = rehash(hash);
    int block = block(h, t.length);
    boolean added = false;
    for (int i = 0; i < 4; i++) {
      int index = word(block, h, i);
      int shift = counterShift(h, i);
      long word = t[index];
      if (((word >>> shift) & 15) < 15) {
        t[index] = word + (1L << shift);
        added = true;
      }
    }
    if (added && ++additions >= sampleSize) {
      halve();
    }
  }

  private void halve() {
    long[] t = table;
    for (int i = 0; i < t.length; i++) {
      t[i] = (t[i] >>> 1) & RESET_MASK;
    }
    additions /= 2;
  }

  /**
   * The first word of the item's block: all four of its counters lie in one block of eight words
   * (64 bytes, a cache line), so that a count costs one cache miss, not four (as Caffeine's).
   */
  private static int block(long h, int words) {
    return ((int) (h >>> 32) & (words - 1)) & ~7;
  }

  /** Row {@code i}'s word: one of its own two in the block. */
  private static int word(int block, long h, int i) {
    return block + (i << 1) + (int) ((h >>> i) & 1);
  }

  /** Row {@code i}'s counter in its word: one of 16, four bits each. */
  private static int counterShift(long h, int i) {
    return (int) ((h >>> (8 + (i << 2))) & 15) << 2;
  }

  private static long rehash(int hash) {
    long x = (hash + 0x9E37_79B9_7F4A_7C15L) * 0xBF58_476D_1CE4_E5B9L;
    x = (x ^ (x >>> 31)) * 0x94D0_49BB_1331_11EBL;
    return x ^ (x >>> 29);
  }

  private static int ceilingPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }
}
