package dev.tollgate.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What core needs to know about an HTTP request. Each adapter implements it over its own request
 * type (an {@code HttpServletRequest}, a {@code ContainerRequestContext}); core reads nothing else.
 */
public interface RequestView {

  /** The HTTP method, e.g. {@code GET}. */
  String method();

  /**
   * The decoded, normalised path that rules match, starting with {@code /}: for the servlet filter
   * the path within the web application (servlet path plus path info); for the JAX-RS provider the
   * path below the application's base URI.
   */
  String path();

  /** The first value of a request header, or {@code null}. Names are case-insensitive. */
  @Nullable String header(String name);

  /** Every value of a request header, in order; empty if absent. */
  List<String> headers(String name);

  /**
   * The address of the direct peer (the last hop), e.g. {@code 203.0.113.7} or {@code ::1}; {@code
   * null} if the container does not tell.
   */
  @Nullable String remoteAddress();

  /** The authenticated principal's name, or {@code null} if the request is not authenticated. */
  @Nullable String principalName();

  /**
   * True if the authenticated principal has {@code role} (for plans given by role): the servlet
   * filter asks {@code HttpServletRequest.isUserInRole}, the JAX-RS provider the {@code
   * SecurityContext}. False when not authenticated, and by default.
   */
  default boolean isUserInRole(String role) {
    return false;
  }

  /**
   * Every value the application would read for a request parameter: for the servlet filter the
   * query string and a form-encoded body, for JAX-RS the query string. Empty if absent.
   */
  List<String> parameterValues(String name);
}
