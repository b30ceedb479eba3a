package dev.tollgate.benchmarks;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Not a limiter: sets five headers of the same names and lengths as the ones {@code TollgateFilter}
 * writes with the examples' configuration (ietf and teos dialects), as constant strings. {@code
 * standalone.sh} serves the servlet example behind it, so that what writing and sending those bytes
 * costs the container is measured apart from what Tollgate does to produce them.
 */
public final class ConstantHeadersFilter implements Filter {

  private static final String[][] HEADERS = {
    {"RateLimit-Policy", "\"minute\";q=2000000000;w=60, \"day\";q=2000000000;w=86400"},
    {"RateLimit", "\"minute\";r=1999999999;t=48, \"day\";r=1999999999;t=89028"},
    {"X-Rate-Limit-Limit", "1d"},
    {"X-Rate-Limit-Remaining", "1999999999"},
    {"X-Rate-Limit-Reset", "2026-12-06T00:00:00.0000000Z"},
  };

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletResponse http = (HttpServletResponse) response;
    for (String[] header : HEADERS) {
      http.setHeader(header[0], header[1]);
    }
    chain.doFilter(request, response);
  }
}
