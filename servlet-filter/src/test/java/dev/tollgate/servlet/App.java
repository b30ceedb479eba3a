package dev.tollgate.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A web application for the container tests: the Tollgate filter on {@code /*} for every dispatcher
 * type (so that the filter's own guard, not the mapping, is what keeps forwards and error
 * dispatches from counting), some servlets, and an optional error page for status 500 and any
 * exception.
 */
final class App {

  /**
   * A filter instance (registration in code), or {@code null} for the container to create one
   * (web.xml).
   */
  Filter filter;

  /** Init-params of the filter. */
  final Map<String, String> initParams = new LinkedHashMap<>();

  /** Servlets by URL pattern. */
  final Map<String, HttpServlet> servlets = new LinkedHashMap<>();

  /** The error page location, or {@code null}. */
  String errorPage;

  App filter(Filter f) {
    this.filter = f;
    return this;
  }

  App initParam(String key, String value) {
    initParams.put(key, value);
    return this;
  }

  App servlet(String pattern, HttpServlet servlet) {
    servlets.put(pattern, servlet);
    return this;
  }

  App errorPage(String location) {
    this.errorPage = location;
    return this;
  }
}
