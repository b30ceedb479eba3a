package dev.tollgate.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Core's answer for one request, which an adapter turns into a response: either let the request
 * through (after writing the headers onto the response with {@link #writeHeaders(HeaderSink)} and
 * applying {@link #pageSize()}), or answer {@link #status()} with the headers and the {@link
 * #body()}.
 *
 * <p>A verdict holds the store's numbers and renders headers and limit statuses from them only when
 * asked, so that deciding a request allocates little.
 */
public final class Verdict {

  /** The media type of problem bodies. */
  public static final String PROBLEM_JSON = "application/problem+json";

  /** The media type of the quota status document. */
  public static final String JSON = "application/json";

  /**
   * The release of a request that holds no concurrency slot: {@link #release()} skips the
   * compare-and-set for it, so that the usual request pays for no atomic write.
   */
  static final Runnable NOTHING = () -> {};

  private static final VarHandle DONE;

  /** Bits of {@link #done}: {@link #release()} ran, {@link #complete} charged. */
  private static final int RELEASED = 1;

  private static final int COMPLETED = 2;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(Verdict.class, "done", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
  private final @Nullable String body;
  private final PageSizeOutcome pageSize;
  private final String rule;
  private final Runnable release;

  /**
   * The {@link #RELEASED} and {@link #COMPLETED} bits, one field for both so that a verdict (made
   * per request) stays small.
   */
  @SuppressWarnings("unused") // through DONE
  private volatile int done;

  /** The admitted request's open account when its route charges after the response; else null. */
  @Nullable Charge charge;

  // Either fixed headers and limits (route null) ...
  private @Nullable List<Header> headers; // else rendered from the store's answer when asked
  private @Nullable List<LimitStatus> limits;
  // ... or what the store answered for the route, rendered on demand.
  private final @Nullable Route route;
  private final long @Nullable [] usage;
  private final long retryAfterSeconds;

  /** A verdict with headers and limits known up front (no store answer behind it). */
  private Verdict(
      Outcome outcome,
      List<Header> headers,
      @Nullable String body,
      PageSizeOutcome pageSize,
      List<LimitStatus> limits,
      String rule,
      Runnable release) {
    this.outcome = outcome;
    this.headers = headers;
    this.body = body;
    this.pageSize = pageSize;
    this.limits = limits;
    this.rule = rule;
    this.release = release;
    this.route = null;
    this.usage = null;
    this.retryAfterSeconds = 0;
  }

  /**
   * A verdict on the store's answer {@code usage} for {@code route}: its headers and limit statuses
   * are rendered from it when asked.
   */
  private Verdict(
      Outcome outcome,
      Route route,
      long[] usage,
      long retryAfterSeconds,
      @Nullable String body,
      PageSizeOutcome pageSize,
      Runnable release) {
    this.outcome = outcome;
    this.body = body;
    this.pageSize = pageSize;
    this.rule = route.mostSpecific;
    this.release = release;
    this.route = route;
    this.usage = usage;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  private static final List<Header> RETRY_IN_A_SECOND = List.of(new Header("Retry-After", "1"));

  private static Verdict fixed(
      Outcome outcome, List<Header> headers, String body, PageSizeOutcome pageSize, String rule) {
    return new Verdict(outcome, headers, body, pageSize, List.of(), rule, NOTHING);
  }

  /** Admitted on the store's answer {@code usage} for {@code route}. */
  static Verdict admitted(Route route, long[] usage, PageSizeOutcome pageSize, Runnable release) {
    return new Verdict(Outcome.ADMITTED, route, usage, 0, null, pageSize, release);
  }

  /** An admitted request whose limits were not decided (the store failed open): no headers. */
  static Verdict admittedUncounted(PageSizeOutcome pageSize, String rule, Runnable release) {
    return new Verdict(Outcome.ADMITTED, List.of(), null, pageSize, List.of(), rule, release);
  }

  /** A 429: a limit of {@code route} is exhausted in the store's answer {@code usage}. */
  static Verdict rateLimited(
      Route route, long[] usage, long retryAfterSeconds, PageSizeOutcome pageSize) {
    String body = route.quotaExceeded(usage, retryAfterSeconds);
    return new Verdict(
        Outcome.RATE_LIMITED, route, usage, retryAfterSeconds, body, pageSize, NOTHING);
  }

  /** A 429 from the external limiter {@code limiter} of rule {@code rule}. */
  static Verdict externallyLimited(
      String limiter, long retryAfterSeconds, PageSizeOutcome pageSize, String rule) {
    return fixed(
        Outcome.RATE_LIMITED,
        List.of(new Header("Retry-After", Long.toString(retryAfterSeconds))),
        Problems.externalExceeded(limiter, retryAfterSeconds),
        pageSize,
        rule);
  }

  /** A 400 for the page size, after the store counted the request in {@code usage}. */
  static Verdict invalidPageSize(Route route, long[] usage, PageSizeOutcome pageSize) {
    String body = Problems.invalidPageSize(pageSize);
    return new Verdict(Outcome.INVALID_PAGE_SIZE, route, usage, 0, body, pageSize, NOTHING);
  }

  /** A 400 for the page size, when the store could not count the request. */
  static Verdict invalidPageSize(PageSizeOutcome pageSize, String rule) {
    return fixed(
        Outcome.INVALID_PAGE_SIZE, List.of(), Problems.invalidPageSize(pageSize), pageSize, rule);
  }

  /** A 503: the store could not decide and the rules fail closed. */
  static Verdict storeUnavailable(PageSizeOutcome pageSize, String rule) {
    return fixed(
        Outcome.STORE_UNAVAILABLE, RETRY_IN_A_SECOND, Problems.storeUnavailable(1), pageSize, rule);
  }

  /** A 403 for a suspended client. */
  static Verdict suspended(PageSizeOutcome pageSize, String rule) {
    return fixed(Outcome.SUSPENDED, List.of(), Problems.suspended(), pageSize, rule);
  }

  /** A 429 for a client with {@code maxConcurrent} requests in flight already. */
  static Verdict concurrencyLimited(int maxConcurrent, PageSizeOutcome pageSize, String rule) {
    return fixed(
        Outcome.CONCURRENCY_LIMITED,
        RETRY_IN_A_SECOND,
        Problems.tooManyConcurrent(maxConcurrent),
        pageSize,
        rule);
  }

  /** The quota status document {@code body}, reporting {@code limits}. */
  static Verdict status(String body, List<LimitStatus> limits) {
    List<Header> headers = List.of(new Header("Cache-Control", "no-store"));
    PageSizeOutcome noPageSize = PageSizeOutcome.disabled();
    return new Verdict(
        Outcome.STATUS, headers, body, noPageSize, List.copyOf(limits), Rule.DEFAULT, NOTHING);
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

  /**
   * Writes the headers to set on the response, whether it proceeds or not. Cheaper than {@link
   * #headers()}: the values go to {@code sink} without a list in between.
   */
  public void writeHeaders(HeaderSink sink) {
    Route r = route;
    if (r == null) {
      for (Header h : Objects.requireNonNull(headers)) { // fixed: set whenever route is not
        sink.set(h.name(), h.value());
      }
    } else {
      HeaderWriter.write(
          r.config,
          r,
          Objects.requireNonNull(usage), // set with route
          outcome == Outcome.RATE_LIMITED,
          retryAfterSeconds,
          sink);
    }
  }

  /** Headers to set on the response, whether it proceeds or not (see {@link #writeHeaders}). */
  public List<Header> headers() {
    List<Header> h = headers; // fixed, or rendered before
    if (h == null) {
      List<Header> out = new ArrayList<>(8);
      writeHeaders((name, value) -> out.add(new Header(name, value)));
      h = Collections.unmodifiableList(out);
      headers = h; // racy but idempotent
    }
    return h;
  }

  /**
   * The body to answer with when the request does not proceed: a {@value #PROBLEM_JSON} problem, or
   * for {@link Outcome#STATUS} the quota status document; {@code null} when it proceeds. Its media
   * type is {@link #contentType()}.
   */
  public @Nullable String body() {
    return body;
  }

  /**
   * The same as {@link #body()}, under its older name.
   *
   * @deprecated use {@link #body()}, which is also the status document
   */
  @Deprecated
  public @Nullable String problemBody() {
    return body;
  }

  /**
   * The media type of {@link #body()}: {@value #JSON} for the status document, else {@value
   * #PROBLEM_JSON}.
   */
  public String contentType() {
    return outcome == Outcome.STATUS ? JSON : PROBLEM_JSON;
  }

  /**
   * Ends the request's hold on its client's concurrency slot. Adapters call it once the response is
   * complete (for async requests, when the async context completes); calling it again does nothing.
   * Harmless when no concurrency limit is configured.
   */
  public void release() {
    if (release != NOTHING && ((int) DONE.getAndBitwiseOr(this, RELEASED) & RELEASED) == 0) {
      release.run();
    }
  }

  /**
   * True if a limit of this request counts response body bytes: the adapter then counts the bytes
   * it writes (and only then, so other responses are not wrapped).
   */
  public boolean countsResponseBytes() {
    Charge c = charge;
    return c != null && Objects.requireNonNull(c.route.metering).bytes;
  }

  /**
   * True if {@link #complete} needs the response's status and size: limits in time, CPU or bytes,
   * or rules that count by outcome or refund server errors. Adapters may skip gathering them
   * otherwise (calling {@code complete} is still right: it releases the concurrency slot).
   */
  public boolean chargesAfterResponse() {
    return charge != null;
  }

  /**
   * Adapters call this on the request's thread when that thread leaves the request, for example
   * when the filter chain returns while the request goes on asynchronously: it ends the measurement
   * of CPU time, which counts the admitting thread only. Unneeded when {@link #complete} runs on
   * that thread; harmless otherwise.
   */
  public void requestThreadDone() {
    Charge c = charge;
    if (c != null) {
      c.requestThreadDone();
    }
  }

  /**
   * The response is complete: charges what the request cost to the limits that count it after the
   * response (time, CPU, bytes; requests of rules that count by outcome; refunds of server errors),
   * then releases the concurrency slot as {@link #release()} does. Never throws and never waits on
   * a remote store; calling it again does nothing.
   *
   * @param status the response's HTTP status
   * @param bodyBytes the response body bytes actually written (0 if unknown or not counted)
   */
  public void complete(int status, long bodyBytes) {
    Charge c = charge;
    if (c != null && ((int) DONE.getAndBitwiseOr(this, COMPLETED) & COMPLETED) == 0) {
      try {
        c.complete(status, bodyBytes);
      } catch (RuntimeException e) {
        Charging.chargeFailed(e);
      }
    }
    release();
  }

  /** The page size the application must see. */
  public PageSizeOutcome pageSize() {
    return pageSize;
  }

  /** Every limit in force for the request, after the decision. */
  public List<LimitStatus> limits() {
    List<LimitStatus> l = limits;
    if (l == null) {
      l = Objects.requireNonNull(route).limitStatuses(Objects.requireNonNull(usage));
      limits = l; // racy but idempotent
    }
    return l;
  }

  /**
   * The name of the plan whose limits decided the request, {@code none} for a client on no plan, or
   * {@code null} when the configuration has no plans or the limits were not decided (suspended,
   * concurrency-limited, status document, store failed open).
   */
  public @Nullable String plan() {
    return route == null ? null : route.planTag;
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
