package dev.tollgate.core;

import dev.tollgate.core.internal.Json;
import dev.tollgate.core.store.LimitUsage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The JSON of the quota status endpoint. */
final class StatusDocument {

  private StatusDocument() {}

  /**
   * {@code {"limits":[{"rule":"default","policy":"minute","limit":100,"window":60,"remaining":57,
   * "used":43,"reset":1763834460,"reset-after":17,"unit":"requests"}, ...]}}: reset in epoch
   * seconds, reset-after in seconds from now; limit, remaining and used in the unit (requests,
   * milliseconds of time or cpu, bytes).
   */
  static String write(List<LimitStatus> limits, long nowMillis) {
    return write(limits, nowMillis, null);
  }

  /**
   * As {@link #write(List, long)}, with {@code "plan":"pro"} first when {@code plan} is not null.
   */
  static String write(List<LimitStatus> limits, long nowMillis, @Nullable String plan) {
    StringBuilder s = new StringBuilder("{");
    if (plan != null) {
      s.append("\"plan\":").append(Json.quote(plan)).append(',');
    }
    s.append("\"limits\":[");
    for (int i = 0; i < limits.size(); i++) {
      LimitStatus l = limits.get(i);
      LimitUsage u = l.usage();
      s.append(i == 0 ? "" : ",")
          .append("{\"rule\":")
          .append(Json.quote(l.rule()))
          .append(",\"policy\":")
          .append(Json.quote(l.policy()))
          .append(",\"algorithm\":")
          .append(Json.quote(u.limit().algorithm().configName()))
          .append(",\"limit\":")
          .append(u.limit().quota())
          .append(",\"window\":")
          .append(u.limit().window().getSeconds())
          .append(",\"remaining\":")
          .append(u.remaining())
          .append(",\"used\":")
          .append(u.used())
          .append(",\"reset\":")
          .append(Math.floorDiv(nowMillis + u.resetMillis() + 999, 1000))
          .append(",\"reset-after\":")
          .append(l.resetSeconds())
          .append(",\"unit\":")
          .append(Json.quote(u.limit().unit().configName()))
          .append('}');
    }
    return s.append("]}").toString();
  }
}
