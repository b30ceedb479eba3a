package dev.tollgate.servlet;

import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What core reads of an {@link HttpServletRequest}. One instance per request; not shared. */
final class ServletRequestView implements RequestView {

  private final HttpServletRequest request;
  private @Nullable String path;

  /** Set once the container failed to parse the parameters. */
  private boolean unparseable;

  ServletRequestView(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /**
   * Servlet path plus path info: the path within the web application, already decoded and
   * normalised by the container (so {@code /api/%72eports} and {@code /api/./reports} are {@code
   * /api/reports}, and the context path is not part of it).
   */
  @Override
  public String path() {
    // Asked several times per decision (rule matching, page-size rule, status path): build it once.
    String p = path;
    if (p == null) {
      p = path = buildPath();
    }
    return p;
  }

  private String buildPath() {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    if (path.isEmpty()) {
      return "/";
    }
    return path.charAt(0) == '/' ? path : "/" + path;
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  @Override
  public String remoteAddress() {
    return request.getRemoteAddr();
  }

  @Override
  public @Nullable String principalName() {
    Principal p = request.getUserPrincipal();
    return p == null ? null : p.getName();
  }

  @Override
  public boolean isUserInRole(String role) {
    return request.isUserInRole(role);
  }

  /**
   * Query string and form-encoded body alike; reading it makes the container parse a form body. If
   * the container cannot parse the parameters (Jetty throws for malformed percent-encoding, a form
   * body above its size limit or an unknown charset), the query string is read leniently instead: a
   * malformed escape stays as written. Otherwise the request would be let through uncounted, and an
   * application that parses the query string itself would see the page size the client sent.
   */
  @Override
  public List<String> parameterValues(String name) {
    if (!unparseable) {
      try {
        String[] values = request.getParameterValues(name);
        return values == null ? List.of() : Arrays.asList(values);
      } catch (RuntimeException e) {
        unparseable = true;
      }
    }
    return PageSizeOutcome.parameterValues(request.getQueryString(), name);
  }
}
