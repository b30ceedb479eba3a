package dev.tollgate.jaxrs.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import org.jspecify.annotations.Nullable;

/**
 * Pre-matching, on a servlet container: copies the servlet request's peer address into the request
 * property {@value #PROPERTY}, where the provider reads it. Jakarta REST defines the injection of
 * {@code @Context HttpServletRequest} on servlet containers (section 10.1), so this works on every
 * runtime there. The feature registers it by class (the runtime creates and injects it) and only
 * when the servlet API is on the class path; it is public only for that. Not API.
 */
@PreMatching
public final class ServletPeerAddress implements ContainerRequestFilter {

  /** The request property holding the peer address. */
  public static final String PROPERTY = "dev.tollgate.jaxrs.peer";

  /**
   * Before anything else, so that requests other pre-matching filters abort are keyed by address
   * too.
   */
  public static final int PRIORITY = 100;

  @Context private @Nullable HttpServletRequest servletRequest;

  /** For the runtime, which creates and injects the filter. */
  public ServletPeerAddress() {}

  @Override
  public void filter(ContainerRequestContext request) {
    try {
      String address = servletRequest == null ? null : servletRequest.getRemoteAddr();
      if (address != null) {
        request.setProperty(PROPERTY, address);
      }
    } catch (RuntimeException e) {
      // no servlet request behind this one (a runtime's own HTTP server): the address stays unknown
    }
  }
}
