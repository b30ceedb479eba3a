package dev.tollgate.jaxrs;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.Rule;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Pre-matching: applies the page-size rule by rewriting the request URI's query and matrix
 * parameters, and a form-encoded body, so that {@code @QueryParam}, {@code @BeanParam}, {@link
 * UriInfo#getQueryParameters()}, {@code @MatrixParam} and {@code @FormParam} all see the effective
 * value. Counts nothing; an invalid page size is answered after counting, post-matching.
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
      if (outcome.changesRequest()) {
        rewrite(request, uri, outcome);
        if (form != null && carriesPageSize(form, outcome)) {
          // Only a body that carries a page size is rewritten (never appended to: a signed webhook
          // body stays byte for byte), and its length changes with it.
          byte[] body = outcome.rewriteQuery(form).getBytes(StandardCharsets.ISO_8859_1);
          request.setEntityStream(new ByteArrayInputStream(body));
          request.getHeaders().putSingle(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
        }
      }
      state.pageSize = outcome;
    } catch (RuntimeException | Error e) {
      gate.failed(e);
    }
  }

  /** Puts the effective page size into the query and into any matrix parameter of that name. */
  private static void rewrite(
      ContainerRequestContext request, UriInfo uri, PageSizeOutcome outcome) {
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
    request.setRequestUri(
        uri.getBaseUri(), URI.create(authority + path + (query == null ? "" : "?" + query)));
  }

  private static boolean carriesPageSize(String form, PageSizeOutcome outcome) {
    for (String name : outcome.values().keySet()) {
      if (!PageSizeOutcome.parameterValues(form, name).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The body of a form-encoded request of at most {@value #MAX_FORM_BYTES} bytes, put back for the
   * resource to read; {@code null} for any other request. A larger body is never held in memory
   * here: it is passed on as a stream, unread beyond the first bytes (its page size, if any, is not
   * evaluated; a form that large is the application's, and its container's, limit to enforce).
   */
  private static @Nullable String readForm(ContainerRequestContext request) {
    MediaType type = request.getMediaType();
    if (type == null
        || !type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
        || !request.hasEntity()) {
      return null;
    }
    try {
      InputStream in = request.getEntityStream();
      byte[] head = in.readNBytes(MAX_FORM_BYTES + 1);
      if (head.length > MAX_FORM_BYTES) {
        request.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(head), in));
        return null;
      }
      request.setEntityStream(new ByteArrayInputStream(head));
      return new String(head, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Form bodies up to this size are checked for a page size (Jetty's default form limit is 200 KB).
   */
  static final int MAX_FORM_BYTES = 64 * 1024;
}
