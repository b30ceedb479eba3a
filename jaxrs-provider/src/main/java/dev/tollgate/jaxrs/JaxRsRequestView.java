package dev.tollgate.jaxrs;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RequestView} over a {@link ContainerRequestContext}. The path is the decoded path below
 * the application's base URI, with a leading {@code /}; parameters are those of the query, a
 * form-encoded body and matrix parameters; the principal is read from the current {@link
 * SecurityContext} on each call, so a view made before authentication sees the principal once it is
 * known.
 */
final class JaxRsRequestView implements RequestView {

  private @Nullable String path;

  private final ContainerRequestContext request;
  private final PeerAddress peer;
  private @Nullable String remoteAddress;
  private boolean remoteAddressRead;
  private @Nullable String formBody;

  JaxRsRequestView(ContainerRequestContext request, PeerAddress peer) {
    this.request = request;
    this.peer = peer;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /**
   * The decoded path without matrix parameters, as Jersey matches it: {@code /reports;x=1} is
   * {@code /reports}, so that a matrix parameter cannot move a request out of a rule's path.
   */
  @Override
  public String path() {
    // Asked several times per decision (rule matching, page-size rule, status path): build it once.
    String cached = path;
    if (cached == null) {
      cached = path = buildPath();
    }
    return cached;
  }

  private String buildPath() {
    UriInfo uri = request.getUriInfo();
    String p =
        uri.getPath(false).indexOf(';') < 0
            ? uri.getPath()
            : withoutMatrixParameters(uri.getPathSegments());
    return p.startsWith("/") ? p : "/" + p;
  }

  private static String withoutMatrixParameters(List<PathSegment> segments) {
    StringBuilder out = new StringBuilder();
    for (PathSegment s : segments) {
      out.append('/').append(s.getPath());
    }
    return out.toString();
  }

  @Override
  public String header(String name) {
    return request.getHeaders().getFirst(name);
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().get(name);
    return values == null ? List.of() : values;
  }

  @Override
  public @Nullable String remoteAddress() {
    if (!remoteAddressRead) {
      remoteAddress = peer.of(request);
      remoteAddressRead = true;
    }
    return remoteAddress;
  }

  @Override
  public @Nullable String principalName() {
    SecurityContext security = request.getSecurityContext();
    Principal principal = security == null ? null : security.getUserPrincipal();
    return principal == null ? null : principal.getName();
  }

  @Override
  public boolean isUserInRole(String role) {
    SecurityContext security = request.getSecurityContext();
    return security != null && security.isUserInRole(role);
  }

  /**
   * The query parameter's values, then those of a form-encoded body (if {@link #formBody(String)}
   * gave one), then those of matrix parameters of that name in any path segment: every place a
   * resource can read it from. The query is read leniently (a malformed escape stays as written).
   */
  @Override
  public List<String> parameterValues(String name) {
    URI uri = request.getUriInfo().getRequestUri();
    List<String> query = PageSizeOutcome.parameterValues(uri.getRawQuery(), name);
    List<String> form = PageSizeOutcome.parameterValues(formBody, name);
    List<String> matrix = ParameterSources.matrixValues(uri.getRawPath(), name);
    if (form.isEmpty() && matrix.isEmpty()) {
      return query;
    }
    List<String> all = new ArrayList<>(query.size() + form.size() + matrix.size());
    all.addAll(query);
    all.addAll(form);
    all.addAll(matrix);
    return all;
  }

  /** The request's form-encoded body as read (ISO-8859-1, so byte for byte), or {@code null}. */
  void formBody(@Nullable String body) {
    this.formBody = body;
  }
}
