package dev.tollgate.core;

import java.util.List;

/**
 * Core's answer for one request, which an adapter turns into a response: either let the request
 * through (after copying {@link #headers()} onto the response and applying {@link #pageSize()}), or
 * answer {@link #status()} with {@link #headers()} and the {@link #problemBody()}.
 */
public final class Verdict {

  /** The media type of {@link #problemBody()}. */
  public static final String PROBLEM_JSON = "application/problem+json";

  /** What was decided. */
  public enum Outcome {
    /** Let the request through. */
    ADMITTED(200),
    /** A limit is exhausted: 429 with {@code Retry-After}. */
    RATE_LIMITED(429),
    /** The page size is not a positive whole number and the rule rejects such values: 400. */
    INVALID_PAGE_SIZE(400),
    /** The store could not decide and the rule fails closed: 503 with {@code Retry-After}. */
    STORE_UNAVAILABLE(503);

    private final int status;

    Outcome(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Outcome outcome;
  private final List<Header> headers;
  private final String problemBody;
  private final PageSizeOutcome pageSize;
  private final List<LimitStatus> limits;
  private final String rule;

  Verdict(Outcome outcome, List<Header> headers, String problemBody, PageSizeOutcome pageSize,
      List<LimitStatus> limits, String rule) {
    this.outcome = outcome;
    this.headers = List.copyOf(headers);
    this.problemBody = problemBody;
    this.pageSize = pageSize;
    this.limits = List.copyOf(limits);
    this.rule = rule;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** True if the request goes on to the application. */
  public boolean proceed() {
    return outcome == Outcome.ADMITTED;
  }

  /** The status to answer with when the request does not proceed (200 when it does). */
  public int status() {
    return outcome.status();
  }

  /** Headers to set on the response, whether it proceeds or not. */
  public List<Header> headers() {
    return headers;
  }

  /** The {@value #PROBLEM_JSON} body when the request does not proceed; otherwise {@code null}. */
  public String problemBody() {
    return problemBody;
  }

  /** The page size the application must see. */
  public PageSizeOutcome pageSize() {
    return pageSize;
  }

  /** Every limit in force for the request, after the decision. */
  public List<LimitStatus> limits() {
    return limits;
  }

  /** The name of the most specific rule that applied ({@code default} if no endpoint rule did). */
  public String rule() {
    return rule;
  }

  @Override
  public String toString() {
    return outcome + " rule=" + rule + " pageSize=" + pageSize;
  }
}
