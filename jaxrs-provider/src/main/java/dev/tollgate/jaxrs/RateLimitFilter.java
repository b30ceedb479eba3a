package dev.tollgate.jaxrs;

import dev.tollgate.core.Rule;
import dev.tollgate.core.Verdict;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import org.jspecify.annotations.Nullable;

/**
 * Post-matching, bound to one resource method by {@link RateLimitBinding}: counts the request under
 * the configuration's rules plus the method's {@link RateLimit} rule (if any) and aborts with the
 * verdict's 429, 400 or 503 when it does not proceed.
 */
final class RateLimitFilter implements ContainerRequestFilter {

  private final Gate gate;
  private final @Nullable Rule rule;

  RateLimitFilter(Gate gate, @Nullable Rule rule) {
    this.gate = gate;
    this.rule = rule;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Gate.State state = gate.state(request);
    if (state.countedElsewhere || state.verdict != null) {
      return;
    }
    try {
      Rule pageSizeRule = rule != null && rule.setsPageSize() ? rule : null;
      if (state.pageSize != null && pageSizeRule != state.expected) {
        gate.mismatch(request, state.expected, rule);
      }
      Verdict verdict = gate.decide(request, state, rule);
      if (!verdict.proceed()) {
        state.headersWritten = true;
        request.abortWith(Gate.rejection(verdict));
      }
    } catch (RuntimeException | Error e) {
      gate.failed(e);
      // Unlimited, but a page size the rule rejects still never reaches the resource.
      if (state.pageSize != null && state.pageSize.rejected()) {
        request.abortWith(
            Response.status(400)
                .entity(state.pageSize.problemBody())
                .type(Gate.PROBLEM_JSON)
                .build());
      }
    }
  }
}
