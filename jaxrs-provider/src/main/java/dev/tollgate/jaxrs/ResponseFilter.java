package dev.tollgate.jaxrs;

import dev.tollgate.core.Verdict;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.annotation.Annotation;

/**
 * Writes the verdict's headers on every response, including those of exception mappers and {@code
 * WebApplicationException}s. A request that no earlier Tollgate filter decided (no resource
 * matched, so the answer is 404 or 405, or a filter before {@link TollgatePriorities#RATE_LIMIT}
 * aborted it, say with 401) is decided here under the configuration's rules, so that it is counted
 * too; if it is over a limit, its response is replaced by the 429.
 */
final class ResponseFilter implements ContainerResponseFilter {

  private static final Annotation[] NO_ANNOTATIONS = new Annotation[0];

  private final Gate gate;

  ResponseFilter(Gate gate) {
    this.gate = gate;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    try {
      Gate.State state = gate.state(request);
      if (state.countedElsewhere) {
        return;
      }
      Verdict verdict = state.verdict;
      if (verdict == null) {
        verdict = gate.decide(request, state, null);
        if (!verdict.proceed()) {
          response.setStatus(verdict.status());
          response.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
          response.setEntity(verdict.body(), NO_ANNOTATIONS, Gate.mediaType(verdict));
        }
      }
      if (!state.headersWritten) {
        state.headersWritten = true;
        verdict.writeHeaders(response.getHeaders()::add);
      }
      state.status = response.getStatus();
      // The resource has answered (async ones too, since response filters run on resume). Without
      // an entity to write, the response is complete now: charge it and free the client's
      // concurrency slot; otherwise ResponseCompletion does once the entity is written.
      if (!response.hasEntity() || "HEAD".equals(request.getMethod())) {
        gate.complete(state, state.status, 0);
      }
    } catch (RuntimeException | Error e) {
      gate.failed(e);
    }
  }
}
