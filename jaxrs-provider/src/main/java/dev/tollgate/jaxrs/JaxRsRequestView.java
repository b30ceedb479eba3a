package dev.tollgate.jaxrs;

import dev.tollgate.core.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.List;

/**
 * A {@link RequestView} over a {@link ContainerRequestContext}. The path is the decoded path below
 * the application's base URI, with a leading {@code /}; parameters are the decoded query
 * parameters; the principal is read from the current {@link SecurityContext} on each call, so a
 * view made before authentication sees the principal once it is known.
 */
final class JaxRsRequestView implements RequestView {

  private final ContainerRequestContext request;
  private final PeerAddress peer;
  private String remoteAddress;
  private boolean remoteAddressRead;

  JaxRsRequestView(ContainerRequestContext request, PeerAddress peer) {
    this.request = request;
    this.peer = peer;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    String p = request.getUriInfo().getPath();
    return p.startsWith("/") ? p : "/" + p;
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
  public String remoteAddress() {
    if (!remoteAddressRead) {
      remoteAddress = peer.current();
      remoteAddressRead = true;
    }
    return remoteAddress;
  }

  @Override
  public String principalName() {
    SecurityContext security = request.getSecurityContext();
    Principal principal = security == null ? null : security.getUserPrincipal();
    return principal == null ? null : principal.getName();
  }

  @Override
  public List<String> parameterValues(String name) {
    List<String> values = request.getUriInfo().getQueryParameters().get(name);
    return values == null ? List.of() : values;
  }
}
