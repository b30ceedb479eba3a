package dev.tollgate.core;

import java.util.List;

/**
 * Core's answer for one request, which an adapter turns into a response: either let the request
 * through (after copying {@link #headers()} onto the response and applying {@link #pageSize()}), or
 * answer {@link #status()} with {@link #headers()} and the {@link #problemBody()}.
 */
public final class Verdict {

  /** The media type of problem bodies. */
  public static final String PROBLEM_JSON = "application/problem+json";

  /** The media type of the quota status document. */
  public static final String JSON = "application/json";

  private static final Runnable NOTHING = () -> {};

  /** What was decided. */
  public enum Outcome {
    /** Let the request through. */
    ADMITTED(200),
    /** A limit is exhausted: 429 with {@code Retry-After}. */
    RATE_LIMITED(429),
    /** The page size is not a positive whole number and the rule rejects such values: 400. */
    INVALID_PAGE_SIZE(400),
    /** The store could not decide and the rule fails closed: 503 with {@code Retry-After}. */
    STORE_UNAVAILABLE(503),
    /** The client is suspended: 403, not counted. */
    SUSPENDED(403),
    /** The client has too many requests in flight: 429 with {@code Retry-After}. */
    CONCURRENCY_LIMITED(429),
    /** A request for the quota status document: answer 200 with {@link #body()}, not counted. */
    STATUS(200);

    private final int status;

    Outcome(int status) {
      this.status = status;
    }

    /** The HTTP status a response with this outcome gets. */
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
  private final Runnable release;
  private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

  Verdict(Outcome outcome, List<Header> headers, String problemBody, PageSizeOutcome pageSize,
      List<LimitStatus> limits, String rule) {
    this(outcome, headers, problemBody, pageSize, limits, rule, NOTHING);
  }

  Verdict(Outcome outcome, List<Header> headers, String problemBody, PageSizeOutcome pageSize,
      List<LimitStatus> limits, String rule, Runnable release) {
    this.outcome = outcome;
    // Only core builds verdicts, from lists nobody else holds: wrap, don't copy (this is per request).
    this.headers = java.util.Collections.unmodifiableList(headers);
    this.problemBody = problemBody;
    this.pageSize = pageSize;
    this.limits = java.util.Collections.unmodifiableList(limits);
    this.rule = rule;
    this.release = release;
  }

  /** What the engine decided. */
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

  /**
   * The body to answer with when the request does not proceed: a {@value #PROBLEM_JSON} problem, or
   * for {@link Outcome#STATUS} the quota status document; {@code null} when it proceeds.
   */
  public String problemBody() {
    return problemBody;
  }

  /** Same as {@link #problemBody()}. */
  public String body() {
    return problemBody;
  }

  /** The media type of {@link #body()}: {@value #JSON} for the status document, else {@value #PROBLEM_JSON}. */
  public String contentType() {
    return outcome == Outcome.STATUS ? JSON : PROBLEM_JSON;
  }

  /**
   * Ends the request's hold on its client's concurrency slot. Adapters call it once the response is
   * complete (for async requests, when the async context completes); calling it again does nothing.
   * Harmless when no concurrency limit is configured.
   */
  public void release() {
    if (released.compareAndSet(false, true)) {
      release.run();
    }
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
