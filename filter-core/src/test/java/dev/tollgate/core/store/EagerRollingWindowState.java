package dev.tollgate.core.store;

import dev.tollgate.core.Limit;

/**
 * The rolling window as it was before its ring was allocated lazily: the reference that {@code
 * RollingWindowTest} compares the store's state with. A ring of {@code window / precision + 1}
 * counters, one per precision step aligned to the epoch. Every bucket that overlaps the last
 * window-long span is counted in full, so no window-long span ever holds more than the quota; the
 * price is that a bucket is forgotten up to one step late.
 */
final class EagerRollingWindowState {

  private final int[] counts;
  private long newest; // absolute index (epoch millis / precision) of the newest bucket
  private long used; // the sum of counts, kept as they change: no sum over the ring per request

  EagerRollingWindowState(Limit limit) {
    counts = new int[(int) (limit.windowMillis() / limit.precisionMillis()) + 1];
    newest = Long.MIN_VALUE;
  }

  void advance(Limit limit, long now) {
    long current = Math.floorDiv(now, limit.precisionMillis());
    int size = counts.length;
    if (newest == Long.MIN_VALUE) {
      newest = current;
    } else if (current > newest) {
      long steps = Math.min(current - newest, size);
      for (long i = 1; i <= steps; i++) {
        int s = slot(newest + i);
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
        counts[slot(i - shift)] = copy[slot(i)];
      }
      newest = current;
    }
  }

  boolean currentAt(Limit limit, long now) {
    return newest != Long.MIN_VALUE && Math.floorDiv(now, limit.precisionMillis()) == newest;
  }

  long available(Limit limit, long now) {
    return Math.max(0, limit.quota() - used);
  }

  void consume(Limit limit, long now, long cost) {
    int s = slot(newest);
    int after = (int) Math.min((long) counts[s] + cost, Integer.MAX_VALUE);
    used += after - counts[s];
    counts[s] = after;
  }

  void refund(Limit limit, long now, long units, long takenAt) {
    long bucket = Math.floorDiv(takenAt, limit.precisionMillis());
    if (bucket <= newest && bucket > newest - counts.length) {
      int s = slot(bucket);
      int after = (int) Math.max(0, counts[s] - units);
      used -= counts[s] - after;
      counts[s] = after;
    }
  }

  long resetMillis(Limit limit, long now) {
    if (used == 0) {
      return 0;
    }
    if (counts[slot(newest)] == used) {
      // Everything counted is in the newest bucket (a client whose use began within the last
      // step, nearly every client of a day's window with hourly steps): no walk over the ring.
      return leavesWindowAt(limit, newest) - now;
    }
    long oldest = newest - counts.length + 1;
    // Walks the ring by index from the oldest bucket: no division per bucket.
    for (int k = 0, s = slot(oldest); k < counts.length; k++, s = next(s)) {
      if (counts[s] != 0) {
        return leavesWindowAt(limit, oldest + k) - now;
      }
    }
    return 0;
  }

  long retryAfterMillis(Limit limit, long now, long cost) {
    if (limit.quota() - used >= cost) {
      return 0;
    }
    long oldest = newest - counts.length + 1;
    long freed = 0;
    for (int k = 0, s = slot(oldest); k < counts.length; k++, s = next(s)) {
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

  private int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) counts.length);
  }

  /** The slot after {@code slot} in the ring. */
  private int next(int slot) {
    return slot + 1 == counts.length ? 0 : slot + 1;
  }
}
