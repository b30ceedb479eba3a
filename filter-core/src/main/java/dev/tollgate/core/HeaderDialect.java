package dev.tollgate.core;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * A family of rate-limit response headers. Several can be sent at once; {@code Retry-After} is sent
 * on every 429 whatever the dialects. Dialects that carry one limit report the limit nearest to
 * exhaustion: on a 429 one of the limits that rejected, otherwise the one with the least remaining
 * quota, a tie going to the later reset.
 */
public enum HeaderDialect {

  /**
   * IETF {@code draft-ietf-httpapi-ratelimit-headers-11}: every limit in force, as RFC 9651
   * structured fields: {@code RateLimit-Policy: "minute";q=100;w=60, "day";q=10000;w=86400} and
   * {@code RateLimit: "minute";r=57;t=17, "day";r=9421;t=50311}. {@code r} is the available quota
   * and {@code t} the effective window, the seconds within which the client can use no more than
   * {@code r}: never 0 for an unused limit, and on a 429 never beyond {@code Retry-After}. Limits
   * in units other than requests carry {@code qu} in the policy ({@code qu="content-bytes"}).
   */
  IETF("ietf"),

  /**
   * IETF {@code draft-ietf-httpapi-ratelimit-headers-10}, as {@link #IETF} sent it before draft-11:
   * {@code t} is the seconds until the available quota next grows (0 for an unused limit), on a 429
   * too.
   */
  IETF_DRAFT_10("ietf-draft-10"),

  /**
   * The earlier IETF draft (06) many clients read: {@code RateLimit-Limit: 100}, {@code
   * RateLimit-Remaining: 57}, {@code RateLimit-Reset: 17} (seconds) and {@code RateLimit-Policy:
   * 100;w=60, 10000;w=86400}.
   */
  IETF_DRAFT_6("ietf-draft-6"),

  /**
   * Truto's normalised headers: {@code ratelimit-limit: 110;w=10}, {@code ratelimit-remaining:
   * 109}, {@code ratelimit-reset: 60} (seconds).
   */
  TRUTO("truto"),

  /**
   * TEOS platform headers: {@code X-Rate-Limit-Limit: 1m} (the period), {@code
   * X-Rate-Limit-Remaining}, {@code X-Rate-Limit-Reset: 2026-11-22T18:01:00.0000000Z} (UTC, .NET
   * round-trip form).
   */
  TEOS("teos"),

  /**
   * GitHub's headers: {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code
   * X-RateLimit-Used}, {@code X-RateLimit-Reset} (epoch seconds) and {@code X-RateLimit-Resource}
   * (the rule's name).
   */
  GITHUB("github");

  private final String configName;

  HeaderDialect(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration ({@code headers.dialects}). */
  public String configName() {
    return configName;
  }

  /**
   * The dialect with this configuration name, ignoring case.
   *
   * @throws IllegalArgumentException if there is none
   */
  public static HeaderDialect fromConfig(String name) {
    return ConfigWords.fromConfig(values(), HeaderDialect::configName, name, "a header dialect");
  }

  /**
   * The dialects {@code chosen}, once each in declaration order, if they can be sent together.
   *
   * @throws ConfigException for {@code headers.dialects} when two would send the same header
   */
  static List<HeaderDialect> combination(HeaderDialect... chosen) {
    EnumSet<HeaderDialect> set = EnumSet.noneOf(HeaderDialect.class);
    for (HeaderDialect d : chosen) {
      set.add(Objects.requireNonNull(d, "dialect"));
    }
    if (set.contains(HeaderDialect.IETF_DRAFT_10)
        && (set.contains(HeaderDialect.IETF) || set.contains(HeaderDialect.IETF_DRAFT_6))) {
      throw new ConfigException(
          "headers.dialects",
          "ietf-draft-10 cannot be combined with "
              + (set.contains(HeaderDialect.IETF)
                  ? "ietf (both send RateLimit and RateLimit-Policy; choose one draft)"
                  : "ietf-draft-6 (both send RateLimit-Policy, in different syntaxes)"));
    }
    if (set.contains(HeaderDialect.IETF_DRAFT_6)
        && (set.contains(HeaderDialect.IETF) || set.contains(HeaderDialect.TRUTO))) {
      throw new ConfigException(
          "headers.dialects",
          "ietf-draft-6 cannot be combined with "
              + (set.contains(HeaderDialect.IETF)
                  ? "ietf (both send RateLimit-Policy, in different syntaxes)"
                  : "truto (both send RateLimit-Limit, in different syntaxes)"));
    }
    return List.copyOf(set);
  }
}
