package dev.tollgate.jaxrs;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Rule;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.Verdict;
import dev.tollgate.core.adapter.FailOpen;
import dev.tollgate.core.adapter.ThrottledWarning;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jspecify.annotations.Nullable;

/**
 * What the provider's filters share in one application: the engine, the index, the peer address.
 */
final class Gate {

  /** The request property holding the {@link State} of a request. */
  static final String STATE_PROPERTY = "dev.tollgate.jaxrs.state";

  static final MediaType PROBLEM_JSON = MediaType.valueOf(Verdict.PROBLEM_JSON);

  private static final System.Logger LOG = System.getLogger(TollgateFeature.class.getName());

  final Tollgate tollgate;
  final PageSizeIndex index;
  final PeerAddress peer;
  private final FailOpen failOpen;
  private final ThrottledWarning mismatchWarnings;

  Gate(Tollgate tollgate, PageSizeIndex index, PeerAddress peer) {
    this.tollgate = tollgate;
    this.failOpen = new FailOpen(LOG, tollgate.clock());
    this.mismatchWarnings = new ThrottledWarning(LOG, tollgate.clock());
    this.index = index;
    this.peer = peer;
  }

  /** Tollgate's progress on one request, kept in a request property from filter to filter. */
  static final class State {
    /** The servlet filter (or another adapter) counted the request already. */
    boolean countedElsewhere;

    /** The page size applied before matching; null if not evaluated yet. */
    @Nullable PageSizeOutcome pageSize;

    /** The annotation rule the index expected before matching. */
    @Nullable Rule expected;

    /** Set once the request has been decided. */
    @Nullable Verdict verdict;

    /** True once the verdict's headers are on the response. */
    boolean headersWritten;

    /** The response's status, as the response filter saw it. */
    int status = 200;

    /** True once the verdict is completed (charged and its concurrency slot released). */
    boolean completed;
  }

  /**
   * Completes the request's verdict once: charges what it cost and releases its concurrency slot.
   */
  void complete(State state, int status, long bodyBytes) {
    if (!state.completed && state.verdict != null) {
      state.completed = true;
      state.verdict.complete(status, bodyBytes);
    }
  }

  /** The request's state, made now if no earlier Tollgate filter ran for it. */
  State state(ContainerRequestContext request) {
    Object s = request.getProperty(STATE_PROPERTY);
    if (s instanceof State) {
      return (State) s;
    }
    State state = new State();
    state.countedElsewhere =
        Boolean.TRUE.equals(request.getProperty(TollgateFeature.COUNTED_PROPERTY));
    request.setProperty(STATE_PROPERTY, state);
    return state;
  }

  JaxRsRequestView view(ContainerRequestContext request) {
    return new JaxRsRequestView(request, peer);
  }

  /** Counts the request and records the verdict. */
  Verdict decide(ContainerRequestContext request, State state, @Nullable Rule extraRule) {
    JaxRsRequestView view = view(request);
    PageSizeOutcome pageSize =
        state.pageSize != null ? state.pageSize : tollgate.pageSize(view, extraRule);
    Verdict verdict = tollgate.decide(view, extraRule, pageSize);
    state.verdict = verdict;
    request.setProperty(TollgateFeature.COUNTED_PROPERTY, Boolean.TRUE);
    return verdict;
  }

  /** The 429, 400 or 503 response for a verdict that does not proceed. */
  static Response rejection(Verdict verdict) {
    Response.ResponseBuilder b =
        Response.status(verdict.status()).entity(verdict.body()).type(mediaType(verdict));
    verdict.writeHeaders(b::header);
    return b.build();
  }

  /**
   * {@code application/problem+json}, or {@code application/json} for the quota status document.
   */
  static MediaType mediaType(Verdict verdict) {
    return verdict.outcome() == Verdict.Outcome.STATUS
        ? MediaType.APPLICATION_JSON_TYPE
        : PROBLEM_JSON;
  }

  /**
   * Logs an unexpected failure of the engine at most once a minute; the request goes on unlimited.
   * A failing JVM ({@link VirtualMachineError}) is rethrown, not hidden.
   */
  void failed(Throwable e) {
    failOpen.failed(e);
  }

  /** Warns (at most once a minute) that the index guessed another method than Jersey matched. */
  void mismatch(ContainerRequestContext request, @Nullable Rule expected, @Nullable Rule actual) {
    mismatchWarnings.warn(
        () ->
            "Tollgate applied the page-size rule of "
                + (expected == null ? "the configuration" : "@RateLimit '" + expected.name() + "'")
                + " to "
                + request.getMethod()
                + " /"
                + request.getUriInfo().getPath(false)
                + " before matching, but the runtime matched a method with "
                + (actual == null || !actual.setsPageSize()
                    ? "no page-size annotation"
                    : "@RateLimit '" + actual.name() + "'")
                + "; the URI can no longer be rewritten after matching, so the first rule's page"
                + " size stays. Further mismatches in the next minute are not logged.",
        null);
  }
}
