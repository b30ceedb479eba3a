package dev.tollgate.core;

import dev.tollgate.core.store.LimitUsage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Writes the selected header dialects for a decision. Stateless. */
final class HeaderWriter {

  private static final DateTimeFormatter DOTNET_ROUND_TRIP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The last reset instant formatted for TEOS: most responses in a fixed window share it. */
  private static final java.util.concurrent.atomic.AtomicReference<Object[]> LAST_TEOS_RESET =
      new java.util.concurrent.atomic.AtomicReference<>(new Object[] {Long.MIN_VALUE, ""});

  private HeaderWriter() {}

  private static String teosInstant(long epochMillis) {
    Object[] last = LAST_TEOS_RESET.get();
    if ((Long) last[0] == epochMillis) {
      return (String) last[1];
    }
    String formatted = DOTNET_ROUND_TRIP.format(Instant.ofEpochMilli(epochMillis));
    LAST_TEOS_RESET.set(new Object[] {epochMillis, formatted});
    return formatted;
  }

  /**
   * @param limits every limit in force, in order
   * @param rejected whether the request is answered 429
   * @param retryAfterSeconds the Retry-After value for a 429
   */
  static List<Header> write(TollgateConfig config, List<LimitStatus> limits, long nowMillis,
      boolean rejected, long retryAfterSeconds) {
    List<Header> out = new ArrayList<>(8);
    if (rejected) {
      out.add(new Header("Retry-After", Long.toString(retryAfterSeconds)));
    }
    if (limits.isEmpty() || config.dialects().isEmpty()) {
      return out;
    }
    LimitStatus nearest = nearestToExhaustion(limits);
    if (!rejected && config.headersAfterUsedShare() > 0) {
      LimitUsage u = nearest.usage();
      if ((double) u.used() / u.limit().quota() < config.headersAfterUsedShare()) {
        return out;
      }
    }
    for (HeaderDialect dialect : config.dialects()) {
      switch (dialect) {
        case IETF:
          ietf(out, limits);
          break;
        case IETF_DRAFT_6:
          draft6(out, limits, nearest);
          break;
        case TRUTO:
          truto(out, nearest);
          break;
        case TEOS:
          teos(out, nearest, nowMillis);
          break;
        default:
          github(out, nearest, nowMillis);
      }
    }
    return out;
  }

  /** On a 429 one of the limits that rejected; else the least remaining, a tie to the later reset. */
  static LimitStatus nearestToExhaustion(List<LimitStatus> limits) {
    boolean anyRejected = false;
    for (LimitStatus l : limits) {
      anyRejected |= l.usage().rejected();
    }
    LimitStatus best = null;
    for (LimitStatus l : limits) {
      if (anyRejected && !l.usage().rejected()) {
        continue;
      }
      if (best == null) {
        best = l;
        continue;
      }
      LimitUsage u = l.usage();
      LimitUsage b = best.usage();
      long key = anyRejected ? u.retryAfterMillis() : -u.remaining();
      long bestKey = anyRejected ? b.retryAfterMillis() : -b.remaining();
      if (key > bestKey || (key == bestKey && u.resetMillis() > b.resetMillis())) {
        best = l;
      }
    }
    return best;
  }

  private static void ietf(List<Header> out, List<LimitStatus> limits) {
    StringBuilder policy = new StringBuilder();
    StringBuilder state = new StringBuilder();
    for (LimitStatus l : limits) {
      LimitUsage u = l.usage();
      String name = "\"" + l.policy() + "\"";
      separate(policy).append(name).append(";q=").append(u.limit().quota())
          .append(";w=").append(u.limit().window().getSeconds());
      separate(state).append(name).append(";r=").append(u.remaining())
          .append(";t=").append(l.resetSeconds());
    }
    out.add(new Header("RateLimit-Policy", policy.toString()));
    out.add(new Header("RateLimit", state.toString()));
  }

  private static void draft6(List<Header> out, List<LimitStatus> limits, LimitStatus nearest) {
    LimitUsage u = nearest.usage();
    out.add(new Header("RateLimit-Limit", Long.toString(u.limit().quota())));
    out.add(new Header("RateLimit-Remaining", Long.toString(u.remaining())));
    out.add(new Header("RateLimit-Reset", Long.toString(nearest.resetSeconds())));
    StringBuilder policy = new StringBuilder();
    for (LimitStatus l : limits) {
      separate(policy).append(l.usage().limit().quota()).append(";w=").append(l.usage().limit().window().getSeconds());
    }
    out.add(new Header("RateLimit-Policy", policy.toString()));
  }

  private static void truto(List<Header> out, LimitStatus nearest) {
    LimitUsage u = nearest.usage();
    out.add(new Header("ratelimit-limit", u.limit().quota() + ";w=" + u.limit().window().getSeconds()));
    out.add(new Header("ratelimit-remaining", Long.toString(u.remaining())));
    out.add(new Header("ratelimit-reset", Long.toString(nearest.resetSeconds())));
  }

  private static void teos(List<Header> out, LimitStatus nearest, long nowMillis) {
    LimitUsage u = nearest.usage();
    out.add(new Header("X-Rate-Limit-Limit", Limit.formatDuration(u.limit().window())));
    out.add(new Header("X-Rate-Limit-Remaining", Long.toString(u.remaining())));
    out.add(new Header("X-Rate-Limit-Reset", teosInstant(nowMillis + u.resetMillis())));
  }

  private static void github(List<Header> out, LimitStatus nearest, long nowMillis) {
    LimitUsage u = nearest.usage();
    out.add(new Header("X-RateLimit-Limit", Long.toString(u.limit().quota())));
    out.add(new Header("X-RateLimit-Remaining", Long.toString(u.remaining())));
    out.add(new Header("X-RateLimit-Used", Long.toString(u.used())));
    out.add(new Header("X-RateLimit-Reset", Long.toString(Math.floorDiv(nowMillis + u.resetMillis() + 999, 1000))));
    out.add(new Header("X-RateLimit-Resource", nearest.rule()));
  }

  private static StringBuilder separate(StringBuilder s) {
    return s.length() == 0 ? s : s.append(", ");
  }
}
