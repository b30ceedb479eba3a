package dev.tollgate.servlet;

import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.mock;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Mockito stand-ins for the servlet API objects the unit tests need. */
final class Mocks {

  private Mocks() {}

  /** A GET request for {@code servletPath + pathInfo} from 192.0.2.1, on its REQUEST dispatch. */
  static HttpServletRequest request(String servletPath, String pathInfo) {
    HttpServletRequest r = mock(HttpServletRequest.class);
    lenient().when(r.getMethod()).thenReturn("GET");
    lenient().when(r.getServletPath()).thenReturn(servletPath);
    lenient().when(r.getPathInfo()).thenReturn(pathInfo);
    lenient().when(r.getRemoteAddr()).thenReturn("192.0.2.1");
    lenient().when(r.getDispatcherType()).thenReturn(DispatcherType.REQUEST);
    lenient()
        .when(r.getHeaders(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> Collections.emptyEnumeration());
    return r;
  }

  /** A response whose output stream writes into {@code body}. */
  static HttpServletResponse response(ByteArrayOutputStream body) throws IOException {
    HttpServletResponse r = mock(HttpServletResponse.class);
    lenient()
        .when(r.getOutputStream())
        .thenReturn(
            new ServletOutputStream() {
              @Override
              public void write(int b) {
                body.write(b);
              }

              @Override
              public boolean isReady() {
                return true;
              }

              @Override
              public void setWriteListener(WriteListener listener) {}
            });
    return r;
  }

  static String text(ByteArrayOutputStream body) {
    return body.toString(StandardCharsets.UTF_8);
  }

  /** A filter config named {@code tollgate} with these init-params, in this order. */
  static FilterConfig filterConfig(ServletContext context, String... keysAndValues) {
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      params.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    FilterConfig c = mock(FilterConfig.class);
    lenient().when(c.getFilterName()).thenReturn("tollgate");
    // A container always gives a filter its context; null here stands for "any context will do".
    lenient()
        .when(c.getServletContext())
        .thenReturn(context != null ? context : mock(ServletContext.class));
    lenient()
        .when(c.getInitParameterNames())
        .thenAnswer(i -> Collections.enumeration(params.keySet()));
    lenient()
        .when(c.getInitParameter(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> params.get(i.<String>getArgument(0)));
    return c;
  }
}
