package dev.tollgate.core.store;

import dev.tollgate.core.Limit;

/**
 * A ring of {@code window / precision + 1} counters, one per precision step aligned to the epoch.
 * Every bucket that overlaps the last window-long span is counted in full, so no window-long span
 * ever holds more than the quota; the price is that a bucket is forgotten up to one step late. In a
 * {@link LimitState}: {@code at} is the newest bucket's index (epoch milliseconds / precision),
 * {@code count} the sum of the ring (kept as it changes: no sum over the ring per request), {@code
 * ring} the counts.
 *
 * <p>The ring is allocated only once a second bucket is used: until then everything counted is in
 * the newest bucket, and {@code count} is its count. Most keys of a flood, and every client seen
 * within one step only, so cost no ring (for a day's window in hourly steps, 120 bytes). The ring
 * is read once per method: a reader without the lock may see it appear, or (in an entry's own
 * fields, which a reload or another rule may take over) be replaced or cleared.
 */
final class RollingWindow {

  private RollingWindow() {}

  static void advance(LimitState s, Limit limit, long now) {
    long current = Math.floorDiv(now, limit.precisionMillis());
    long newest = s.at;
    if (newest == LimitState.UNSET) {
      s.at = current;
      return;
    }
    if (current == newest) {
      return;
    }
    int[] counts = s.ring;
    if (counts == null) {
      int size = (int) (limit.windowMillis() / limit.precisionMillis()) + 1;
      if (s.count == 0 || (current > newest && current - newest >= size)) {
        s.count = 0; // nothing counted, or all of it left the window: still no ring needed
        s.at = current;
        return;
      }
      counts = new int[size];
      counts[slot(counts, newest)] = (int) s.count;
      s.ring = counts;
    }
    int size = counts.length;
    if (current > newest) {
      long steps = Math.min(current - newest, size);
      for (long i = 1; i <= steps; i++) {
        int slot = slot(counts, newest + i);
        s.count -= counts[slot];
        counts[slot] = 0;
      }
    } else {
      // The clock went backwards: shift every bucket back by the same amount, keeping the counts
      // (and so their sum).
      int[] copy = counts.clone();
      long shift = newest - current;
      for (long i = newest - size + 1; i <= newest; i++) {
        counts[slot(counts, i - shift)] = copy[slot(counts, i)];
      }
    }
    s.at = current;
  }

  static boolean currentAt(LimitState s, Limit limit, long now) {
    long newest = s.at;
    return newest != LimitState.UNSET && Math.floorDiv(now, limit.precisionMillis()) == newest;
  }

  static void consume(LimitState s, long cost) {
    int[] counts = s.ring;
    long used = s.count;
    if (counts == null) {
      // The newest bucket's count, saturating as a bucket of the ring does (without overflowing
      // on an absurd charge).
      s.count = cost >= Integer.MAX_VALUE - used ? Integer.MAX_VALUE : used + cost;
      return;
    }
    int slot = slot(counts, s.at);
    int after = (int) Math.min((long) counts[slot] + cost, Integer.MAX_VALUE);
    s.count = used + after - counts[slot];
    counts[slot] = after;
  }

  static void refund(LimitState s, Limit limit, long units, long takenAt) {
    long bucket = Math.floorDiv(takenAt, limit.precisionMillis());
    long newest = s.at;
    int[] counts = s.ring;
    if (counts == null) {
      if (bucket == newest) {
        s.count = Math.max(0, s.count - units);
      }
      return;
    }
    if (bucket <= newest && bucket > newest - counts.length) {
      int slot = slot(counts, bucket);
      int after = (int) Math.max(0, counts[slot] - units);
      s.count -= counts[slot] - after;
      counts[slot] = after;
    }
  }

  static long resetMillis(LimitState s, Limit limit, long now) {
    long used = s.count;
    if (used == 0) {
      return 0;
    }
    long newest = s.at;
    int[] counts = s.ring;
    if (counts == null || counts[slot(counts, newest)] == used) {
      // Everything counted is in the newest bucket (a client whose use began within the last
      // step, nearly every client of a day's window with hourly steps): no walk over the ring.
      return leavesWindowAt(limit, newest) - now;
    }
    long oldest = newest - counts.length + 1;
    // Walks the ring by index from the oldest bucket: no division per bucket.
    for (int k = 0, slot = slot(counts, oldest);
        k < counts.length;
        k++, slot = next(counts, slot)) {
      if (counts[slot] != 0) {
        return leavesWindowAt(limit, oldest + k) - now;
      }
    }
    return 0;
  }

  static long retryAfterMillis(LimitState s, Limit limit, long now, long cost) {
    long used = s.count;
    if (limit.quota() - used >= cost) {
      return 0;
    }
    long newest = s.at;
    int[] counts = s.ring;
    if (counts == null) {
      return leavesWindowAt(limit, newest) - now; // only the newest bucket frees anything
    }
    long oldest = newest - counts.length + 1;
    long freed = 0;
    for (int k = 0, slot = slot(counts, oldest);
        k < counts.length;
        k++, slot = next(counts, slot)) {
      freed += counts[slot];
      if (used - freed + cost <= limit.quota()) {
        return leavesWindowAt(limit, oldest + k) - now;
      }
    }
    return leavesWindowAt(limit, newest) - now;
  }

  /** Bucket {@code b} counts while it overlaps (now - window, now]. */
  private static long leavesWindowAt(Limit limit, long b) {
    long precision = limit.precisionMillis();
    return (b + 1) * precision + limit.windowMillis();
  }

  private static int slot(int[] counts, long bucket) {
    return (int) Math.floorMod(bucket, (long) counts.length);
  }

  /** The slot after {@code slot} in the ring. */
  private static int next(int[] counts, int slot) {
    return slot + 1 == counts.length ? 0 : slot + 1;
  }
}
