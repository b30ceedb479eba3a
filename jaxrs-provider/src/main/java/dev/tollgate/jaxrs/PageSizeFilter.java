package dev.tollgate.jaxrs;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Rule;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * Pre-matching: applies the page-size rule by rewriting the request URI's query, so that
 * {@code @QueryParam}, {@code @BeanParam} and {@link UriInfo#getQueryParameters()} all see the
 * effective value. Counts nothing; an invalid page size is answered after counting, post-matching.
 */
@PreMatching
final class PageSizeFilter implements ContainerRequestFilter {

  private final Gate gate;

  PageSizeFilter(Gate gate) {
    this.gate = gate;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Gate.State state = gate.state(request);
    try {
      UriInfo uri = request.getUriInfo();
      Rule expected = gate.index.match(request.getMethod(), uri.getPath(false));
      PageSizeOutcome outcome = gate.tollgate.pageSize(gate.view(request), expected);
      state.expected = expected;
      state.pageSize = outcome;
      URI requestUri = uri.getRequestUri();
      String rawQuery = requestUri.getRawQuery();
      String rewritten = outcome.rewriteQuery(rawQuery);
      if (rewritten != null && !rewritten.equals(rawQuery)) {
        String s = requestUri.toString();
        int q = s.indexOf('?');
        request.setRequestUri(uri.getBaseUri(), URI.create((q < 0 ? s : s.substring(0, q)) + "?" + rewritten));
      }
    } catch (RuntimeException e) {
      gate.failed(e);
    }
  }
}
