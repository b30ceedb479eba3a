package dev.tollgate.jaxrs;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Rule;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Pre-matching: applies the page-size rule by rewriting the request URI's query and matrix
 * parameters, and a form-encoded body, so that {@code @QueryParam}, {@code @BeanParam},
 * {@link UriInfo#getQueryParameters()}, {@code @MatrixParam} and {@code @FormParam} all see the
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
      JaxRsRequestView view = gate.view(request);
      String form = readForm(request);
      view.formBody(form);
      PageSizeOutcome outcome = gate.tollgate.pageSize(view, expected);
      state.expected = expected;
      if (!outcome.values().isEmpty()) {
        rewrite(request, uri, outcome);
        if (form != null) {
          request.setEntityStream(new ByteArrayInputStream(outcome.rewriteQuery(form).getBytes(StandardCharsets.ISO_8859_1)));
        }
      }
      state.pageSize = outcome;
    } catch (RuntimeException e) {
      gate.failed(e);
    }
  }

  /** Puts the effective page size into the query and into any matrix parameter of that name. */
  private static void rewrite(ContainerRequestContext request, UriInfo uri, PageSizeOutcome outcome) {
    URI requestUri = uri.getRequestUri();
    String rawQuery = requestUri.getRawQuery();
    String rawPath = requestUri.getRawPath();
    String query = outcome.rewriteQuery(rawQuery);
    String path = ParameterSources.rewriteMatrix(rawPath, outcome.values());
    if (Objects.equals(query, rawQuery) && Objects.equals(path, rawPath)) {
      return;
    }
    String s = requestUri.toString();
    int q = s.indexOf('?');
    String beforeQuery = q < 0 ? s : s.substring(0, q);
    // A request URI has no fragment, so the raw path ends what comes before the query.
    String authority = beforeQuery.substring(0, beforeQuery.length() - rawPath.length());
    request.setRequestUri(uri.getBaseUri(), URI.create(authority + path + (query == null ? "" : "?" + query)));
  }

  /**
   * The body of a form-encoded request, read whole (as the resource's {@code @FormParam} would) and
   * put back for the resource to read; {@code null} for any other request.
   */
  private static String readForm(ContainerRequestContext request) {
    MediaType type = request.getMediaType();
    if (type == null || !type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE) || !request.hasEntity()) {
      return null;
    }
    try {
      byte[] body = request.getEntityStream().readAllBytes();
      request.setEntityStream(new ByteArrayInputStream(body));
      return new String(body, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
