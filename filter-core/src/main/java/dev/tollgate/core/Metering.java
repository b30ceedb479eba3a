package dev.tollgate.core;

import dev.tollgate.core.store.BucketSpec;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Route} charges after the response, worked out once per route: for each of its
 * limits (in bucket order) what is measured and which responses count. Null for a route without
 * such limits, so that plain routes pay nothing for it.
 */
final class Metering {

  /** Nothing after the response: a request limit consumed on admission, never refunded. */
  static final byte NONE = 0;

  /** A request limit consumed on admission whose rule refunds server errors. */
  static final byte REFUND = 1;

  /** A request limit of a rule that counts by outcome: the cost, charged if the response counts. */
  static final byte REQUESTS = 2;

  static final byte TIME = 3;
  static final byte CPU = 4;
  static final byte BYTES = 5;

  private final byte[] kinds;
  private final Counting[] countings;
  private final int cost;

  /** Whether any limit needs thread CPU time, or response bytes. */
  final boolean cpu;

  final boolean bytes;
  final boolean time;

  private Metering(byte[] kinds, Counting[] countings, int cost) {
    this.kinds = kinds;
    this.countings = countings;
    this.cost = cost;
    boolean c = false;
    boolean b = false;
    boolean t = false;
    for (byte k : kinds) {
      c |= k == CPU;
      b |= k == BYTES;
      t |= k == TIME;
    }
    this.cpu = c;
    this.bytes = b;
    this.time = t;
  }

  /**
   * @param rules the rule of each spec
   * @return null if no limit of {@code specs} is charged or refunded after the response
   */
  static @Nullable Metering of(List<Rule> rules, BucketSpec[] specs, int cost) {
    int n = 0;
    for (BucketSpec s : specs) {
      n += s.limits().size();
    }
    byte[] kinds = new byte[n];
    Counting[] countings = new Counting[n];
    boolean any = false;
    int i = 0;
    for (int b = 0; b < specs.length; b++) {
      Counting counting = rules.get(b).counting();
      for (Limit l : specs[b].limits()) {
        byte kind;
        switch (l.unit()) {
          case TIME:
            kind = TIME;
            break;
          case CPU:
            kind = CPU;
            break;
          case BYTES:
            kind = BYTES;
            break;
          default:
            kind =
                counting.requestsAfterResponse()
                    ? REQUESTS
                    : counting.refundServerErrors() ? REFUND : NONE;
        }
        kinds[i] = kind;
        countings[i++] = counting;
        any |= kind != NONE;
      }
    }
    return any ? new Metering(kinds, countings, cost) : null;
  }

  /**
   * The amounts to charge per limit for a response with {@code status} that took {@code wallNanos},
   * {@code cpuNanos} and wrote {@code bytes}; null if there is nothing to charge. Time is charged
   * in whole milliseconds, rounded to the nearest.
   */
  long @Nullable [] amounts(int status, long wallNanos, long cpuNanos, long bytes) {
    long @Nullable [] out = null;
    boolean serverError = status >= 500;
    for (int i = 0; i < kinds.length; i++) {
      byte kind = kinds[i];
      if (kind == NONE) {
        continue;
      }
      Counting counting = countings[i];
      boolean refunded = serverError && counting.refundServerErrors();
      long amount;
      if (kind == REFUND) {
        amount = refunded ? -cost : 0;
      } else if (refunded || !counting.counts(status)) {
        amount = 0;
      } else {
        switch (kind) {
          case REQUESTS:
            amount = cost;
            break;
          case TIME:
            amount = millis(wallNanos);
            break;
          case CPU:
            amount = millis(cpuNanos);
            break;
          default:
            amount = Math.max(0, bytes);
        }
      }
      if (amount != 0) {
        if (out == null) {
          out = new long[kinds.length];
        }
        out[i] = amount;
      }
    }
    return out;
  }

  static long millis(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 500_000) / 1_000_000;
  }
}
