package dev.tollgate.core.store;

import dev.tollgate.core.Limit;
import org.jspecify.annotations.Nullable;

/**
 * A ring of {@code window / precision + 1} counters, one per precision step aligned to the epoch.
 * Every bucket that overlaps the last window-long span is counted in full, so no window-long span
 * ever holds more than the quota; the price is that a bucket is forgotten up to one step late.
 *
 * <p>The ring is allocated only once a second bucket is used: until then everything counted is in
 * the newest bucket, and {@link #used} is its count. Most keys of a flood, and every client seen
 * within one step only, so cost no ring (for a day's window in hourly steps, 120 bytes).
 */
final class RollingWindowState extends LimitState {

  /**
   * The ring, or null while every unit counted is in the newest bucket. Read once per method: a
   * reader without the lock may see it appear.
   */
  private int @Nullable [] counts;

  private long newest; // absolute index (epoch millis / precision) of the newest bucket
  private long used; // the sum of counts, kept as they change: no sum over the ring per request

  RollingWindowState(Limit limit) {
    newest = Long.MIN_VALUE;
  }

  @Override
  void advance(Limit limit, long now) {
    long current = Math.floorDiv(now, limit.precisionMillis());
    if (newest == Long.MIN_VALUE) {
      newest = current;
      return;
    }
    if (current == newest) {
      return;
    }
    int[] counts = this.counts;
    if (counts == null) {
      int size = (int) (limit.windowMillis() / limit.precisionMillis()) + 1;
      if (used == 0 || (current > newest && current - newest >= size)) {
        used = 0; // nothing counted, or all of it left the window: still no ring needed
        newest = current;
        return;
      }
      counts = new int[size];
      counts[slot(counts, newest)] = (int) used;
      this.counts = counts;
    }
    int size = counts.length;
    if (current > newest) {
      long steps = Math.min(current - newest, size);
      for (long i = 1; i <= steps; i++) {
        int s = slot(counts, newest + i);
        used -= counts[s];
        counts[s] = 0;
      }
      newest = current;
    } else if (current < newest) {
      // The clock went backwards: shift every bucket back by the same amount, keeping the counts
      // (and so their sum).
      int[] copy = counts.clone();
      long shift = newest - current;
      for (long i = newest - size + 1; i <= newest; i++) {
        counts[slot(counts, i - shift)] = copy[slot(counts, i)];
      }
      newest = current;
    }
  }

  @Override
  boolean currentAt(Limit limit, long now) {
    return newest != Long.MIN_VALUE && Math.floorDiv(now, limit.precisionMillis()) == newest;
  }

  @Override
  long available(Limit limit, long now) {
    return Math.max(0, limit.quota() - used);
  }

  @Override
  void consume(Limit limit, long now, long cost) {
    int[] counts = this.counts;
    if (counts == null) {
      // The newest bucket's count, saturating as a bucket of the ring does (without overflowing
      // on an absurd charge).
      used = cost >= Integer.MAX_VALUE - used ? Integer.MAX_VALUE : used + cost;
      return;
    }
    int s = slot(counts, newest);
    int after = (int) Math.min((long) counts[s] + cost, Integer.MAX_VALUE);
    used += after - counts[s];
    counts[s] = after;
  }

  @Override
  void refund(Limit limit, long now, long units, long takenAt) {
    long bucket = Math.floorDiv(takenAt, limit.precisionMillis());
    int[] counts = this.counts;
    if (counts == null) {
      if (bucket == newest) {
        used = Math.max(0, used - units);
      }
      return;
    }
    if (bucket <= newest && bucket > newest - counts.length) {
      int s = slot(counts, bucket);
      int after = (int) Math.max(0, counts[s] - units);
      used -= counts[s] - after;
      counts[s] = after;
    }
  }

  @Override
  long resetMillis(Limit limit, long now) {
    if (used == 0) {
      return 0;
    }
    int[] counts = this.counts;
    if (counts == null || counts[slot(counts, newest)] == used) {
      // Everything counted is in the newest bucket (a client whose use began within the last
      // step, nearly every client of a day's window with hourly steps): no walk over the ring.
      return leavesWindowAt(limit, newest) - now;
    }
    long oldest = newest - counts.length + 1;
    // Walks the ring by index from the oldest bucket: no division per bucket.
    for (int k = 0, s = slot(counts, oldest); k < counts.length; k++, s = next(counts, s)) {
      if (counts[s] != 0) {
        return leavesWindowAt(limit, oldest + k) - now;
      }
    }
    return 0;
  }

  @Override
  long retryAfterMillis(Limit limit, long now, long cost) {
    if (limit.quota() - used >= cost) {
      return 0;
    }
    int[] counts = this.counts;
    if (counts == null) {
      return leavesWindowAt(limit, newest) - now; // only the newest bucket frees anything
    }
    long oldest = newest - counts.length + 1;
    long freed = 0;
    for (int k = 0, s = slot(counts, oldest); k < counts.length; k++, s = next(counts, s)) {
      freed += counts[s];
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
