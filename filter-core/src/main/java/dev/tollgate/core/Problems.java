package dev.tollgate.core;

import dev.tollgate.core.internal.Json;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** RFC 9457 problem bodies. Nothing internal (class names, traces, client keys) goes in them. */
final class Problems {

  static final String QUOTA_EXCEEDED =
      "https://iana.org/assignments/http-problem-types#quota-exceeded";

  private Problems() {}

  /**
   * The 429 body: the policies that rejected, the retry time, and the client's plan when {@code
   * plan} is not null.
   */
  static String quotaExceeded(
      List<LimitStatus> limits, long retryAfterSeconds, @Nullable Plan plan) {
    Set<String> violated = new LinkedHashSet<>();
    for (LimitStatus l : limits) {
      if (l.usage().rejected()) {
        violated.add(l.policy());
      }
    }
    StringBuilder names = new StringBuilder();
    for (String v : violated) {
      names.append(names.length() == 0 ? "" : ",").append(Json.quote(v));
    }
    return "{\"type\":"
        + Json.quote(QUOTA_EXCEEDED)
        + ",\"title\":\"Too Many Requests\",\"status\":429"
        + ",\"detail\":"
        + Json.quote(
            "The request exceeds the quota of "
                + (violated.size() == 1 ? "policy " : "policies ")
                + String.join(", ", violated)
                + (plan == null ? "" : " of plan " + plan.name())
                + "; retry in "
                + retryAfterSeconds
                + (retryAfterSeconds == 1 ? " second." : " seconds."))
        + ",\"violated-policies\":["
        + names
        + "]"
        + (plan == null ? "" : ",\"plan\":" + Json.quote(plan.name()))
        + ",\"retry-after\":"
        + retryAfterSeconds
        + "}";
  }

  static String invalidPageSize(PageSizeOutcome pageSize) {
    // Only a rejected page size is answered so, and it names the parameter and the value.
    String name =
        Json.truncate(Objects.requireNonNull(pageSize.invalidParameter(), "invalidParameter"), 64);
    String value =
        Json.truncate(Objects.requireNonNull(pageSize.invalidValue(), "invalidValue"), 64);
    String reason =
        "must be a whole number from 1 to " + pageSize.maxSize() + " but was '" + value + "'";
    return "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400"
        + ",\"detail\":"
        + Json.quote("Query parameter '" + name + "' " + reason + ".")
        + ",\"invalid-params\":[{\"name\":"
        + Json.quote(name)
        + ",\"reason\":"
        + Json.quote(reason)
        + "}]}";
  }

  static String externalExceeded(String policy, long retryAfterSeconds) {
    return "{\"type\":"
        + Json.quote(QUOTA_EXCEEDED)
        + ",\"title\":\"Too Many Requests\",\"status\":429"
        + ",\"detail\":"
        + Json.quote(
            "The request exceeds the quota of policy "
                + policy
                + "; retry in "
                + retryAfterSeconds
                + (retryAfterSeconds == 1 ? " second." : " seconds."))
        + ",\"violated-policies\":["
        + Json.quote(policy)
        + "],\"retry-after\":"
        + retryAfterSeconds
        + "}";
  }

  static String suspended() {
    return "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403"
        + ",\"detail\":\"Access for this client is suspended. Contact the API provider.\"}";
  }

  static String tooManyConcurrent(int max) {
    return "{\"type\":"
        + Json.quote(QUOTA_EXCEEDED)
        + ",\"title\":\"Too Many Requests\",\"status\":429"
        + ",\"detail\":\"This client already has "
        + max
        + " requests in flight; retry when one completes.\""
        + ",\"violated-policies\":[\"concurrency\"],\"retry-after\":1}";
  }

  static String storeUnavailable(long retryAfterSeconds) {
    return "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503"
        + ",\"detail\":\"Rate limits cannot be checked right now; retry in "
        + retryAfterSeconds
        + (retryAfterSeconds == 1 ? " second." : " seconds.")
        + "\"}";
  }
}
