package dev.tollgate.redis;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.Bucket;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The script that charges a completed request ({@code charge.lua}), appended to the state functions
 * of {@code acquire.lua} so that both treat the keys alike. It assumes the key layout of {@link
 * KeyLayout} and the value formats of {@code acquire.lua}'s Fixed, Rolling and Token states.
 */
final class ChargeScript {

  /** Where acquire.lua's state functions end and its decision begins. */
  private static final String DECISION_MARKER =
      "-- ---------------------------------------------------------------------------------- decision";

  /**
   * Where acquire.lua's fast path for one fixed window begins; it ends at the next section line.
   */
  private static final String FAST_PATH_MARKER =
      "-- ------------------------------------------- fast path";

  static final String SOURCE = source();
  static final String SHA1 = AcquireScript.sha1(SOURCE);

  private ChargeScript() {}

  /**
   * The arguments for the limits of {@code buckets} (keys as {@link KeyLayout#keys} gives them).
   *
   * @param amounts per limit of {@code buckets}, from {@code from}
   * @param nowMillis the time to charge at, or {@code null} for the Redis server's {@code TIME}
   */
  static String[] args(
      List<Bucket> buckets,
      long[] amounts,
      int from,
      long admittedAtMillis,
      @Nullable Long nowMillis) {
    List<String> a = new ArrayList<>(5 + 5 * 4);
    a.add("0");
    a.add(nowMillis == null ? "" : Long.toString(nowMillis));
    a.add("0");
    a.add(Long.toString(admittedAtMillis));
    int n = 0;
    for (Bucket b : buckets) {
      n += b.limits().size();
    }
    a.add(Integer.toString(n));
    int i = from;
    for (Bucket b : buckets) {
      for (Limit l : b.limits()) {
        a.add(AcquireScript.code(l));
        a.add(Long.toString(l.quota()));
        a.add(Long.toString(l.windowMillis()));
        a.add(Long.toString(l.precision().toMillis()));
        a.add(Long.toString(amounts[i++]));
      }
    }
    return a.toArray(new String[0]);
  }

  private static String source() {
    String acquire = AcquireScript.SOURCE;
    int end = acquire.indexOf(DECISION_MARKER);
    if (end < 0) {
      throw new IllegalStateException(
          "acquire.lua has no decision section to append charge.lua before");
    }
    // Without acquire.lua's fast path, which reads acquire's arguments and returns early.
    int fast = acquire.indexOf(FAST_PATH_MARKER);
    int afterFast = fast < 0 ? -1 : acquire.indexOf("\n-- -", fast + 1);
    if (fast < 0 || afterFast < 0 || afterFast > end) {
      throw new IllegalStateException("acquire.lua's fast path is not where charge.lua expects it");
    }
    return acquire.substring(0, fast)
        + acquire.substring(afterFast + 1, end)
        + AcquireScript.resource("charge.lua");
  }
}
