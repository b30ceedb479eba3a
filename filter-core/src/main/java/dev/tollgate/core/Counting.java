package dev.tollgate.core;

import java.util.Objects;

/**
 * Which of a rule's responses count against its limits ({@code count = all | failed | successful}),
 * and whether a server error gives back what the request took ({@code refund-on-server-error}).
 * Admission is always decided up front, on what the client has used so far: a rule that counts only
 * failed requests admits while the client's failures are under the quota, and charges a request
 * once its response shows that it failed. Immutable.
 */
public final class Counting {

  /** Which responses count. */
  public enum Responses {
    /** Every admitted request, counted on admission (the default). */
    ALL("all"),
    /** Responses with a status of 400 or more, counted once the response is complete. */
    FAILED("failed"),
    /** Responses with a status below 400, counted once the response is complete. */
    SUCCESSFUL("successful");

    private final String configName;

    Responses(String configName) {
      this.configName = configName;
    }

    /** The word in configuration. */
    public String configName() {
      return configName;
    }

    /** Reads {@code all}, {@code failed} or {@code successful}, ignoring case. */
    public static Responses fromConfig(String word) {
      return ConfigWords.fromConfig(values(), Responses::configName, word, "a way of counting");
    }
  }

  /** Every request counts and nothing is refunded. */
  public static final Counting ALL = new Counting(Responses.ALL, false);

  private final Responses responses;
  private final boolean refundServerErrors;

  private Counting(Responses responses, boolean refundServerErrors) {
    this.responses = responses;
    this.refundServerErrors = refundServerErrors;
  }

  /**
   * @param responses which responses count
   * @param refundServerErrors whether a response with a status of 500 or more gives back the cost
   *     its request took (and is not charged its time, CPU or bytes)
   */
  public static Counting of(Responses responses, boolean refundServerErrors) {
    Objects.requireNonNull(responses, "responses");
    return responses == Responses.ALL && !refundServerErrors
        ? ALL
        : new Counting(responses, refundServerErrors);
  }

  public Responses responses() {
    return responses;
  }

  public boolean refundServerErrors() {
    return refundServerErrors;
  }

  /** True if a response with {@code status} counts (before any refund). */
  boolean counts(int status) {
    switch (responses) {
      case FAILED:
        return status >= 400;
      case SUCCESSFUL:
        return status < 400;
      default:
        return true;
    }
  }

  /** True if this rule's request limits are only charged after the response. */
  boolean requestsAfterResponse() {
    return responses != Responses.ALL;
  }

  @Override
  public String toString() {
    return "count " + responses.configName + (refundServerErrors ? ", refund on server error" : "");
  }
}
