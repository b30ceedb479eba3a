package dev.tollgate.servlet;

import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
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

  /**
   * Starts this application in {@code container}; a failure to start is reported by {@link
   * RunningContainer#startupFailure()}.
   */
  RunningContainer startIn(EmbeddedContainer container) throws Exception {
    WebApp app = WebApp.root();
    WebApp.Registration<Filter> tollgate =
        filter != null
            ? app.filter("tollgate", filter)
            : app.filter("tollgate", TollgateFilter.class);
    tollgate
        .mapping("/*")
        .dispatchers(EnumSet.allOf(DispatcherType.class))
        .asyncSupported()
        .initParams(initParams);
    int i = 0;
    for (var s : servlets.entrySet()) {
      app.servlet("servlet" + i++, s.getValue()).mapping(s.getKey()).asyncSupported();
    }
    if (errorPage != null) {
      app.errorPage(errorPage);
    }
    return container.tryStart(app);
  }
}
