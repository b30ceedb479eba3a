package dev.tollgate.servlet;

import dev.tollgate.core.PageSizeOutcome;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request as the application must see it after the page-size rule: every servlet API path to a
 * page-size parameter gives the effective value. {@link #getQueryString()} is rewritten too,
 * because Jersey and other frameworks parse the query string themselves rather than ask for
 * parameters.
 */
final class PageSizeRequest extends HttpServletRequestWrapper {

  private final PageSizeOutcome pageSize;
  private final Map<String, String> effective;

  PageSizeRequest(HttpServletRequest request, PageSizeOutcome pageSize) {
    super(request);
    Map<String, String> values = new LinkedHashMap<>();
    pageSize.values().forEach((name, value) -> values.put(name, Integer.toString(value)));
    this.pageSize = pageSize;
    this.effective = values;
  }

  @Override
  public String getParameter(String name) {
    String value = effective.get(name);
    return value != null ? value : super.getParameter(name);
  }

  @Override
  public String[] getParameterValues(String name) {
    String value = effective.get(name);
    return value != null ? new String[] {value} : super.getParameterValues(name);
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    // Not cached: a forward or include with its own query changes what the wrapped request holds.
    Map<String, String[]> copy = new LinkedHashMap<>(super.getParameterMap());
    effective.forEach((name, value) -> copy.put(name, new String[] {value}));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(getParameterMap().keySet());
  }

  @Override
  public String getQueryString() {
    return pageSize.rewriteQuery(super.getQueryString());
  }
}
