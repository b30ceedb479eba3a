package dev.tollgate.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A web application for {@link EmbeddedContainer}: filters and servlets (instances or classes) with
 * their mappings and init-params, context attributes, an optional error page, and the few connector
 * and container settings the hardening and JNDI tests need.
 */
public final class WebApp {

  /** One filter or servlet: what it is, where it is mapped, and how it is configured. */
  public static final class Registration<T> {
    final String name;
    final T instance;
    final Class<? extends T> type;
    final List<String> mappings = new ArrayList<>();
    final Map<String, String> initParams = new LinkedHashMap<>();
    final EnumSet<DispatcherType> dispatchers = EnumSet.of(DispatcherType.REQUEST);
    boolean asyncSupported;
    int loadOnStartup = -1;

    private Registration(String name, T instance, Class<? extends T> type) {
      this.name = name;
      this.instance = instance;
      this.type = type;
    }

    /** Maps it to a URL pattern, e.g. {@code /*} or {@code /api/*}. */
    public Registration<T> mapping(String urlPattern) {
      mappings.add(urlPattern);
      return this;
    }

    public Registration<T> initParam(String key, String value) {
      initParams.put(key, value);
      return this;
    }

    public Registration<T> initParams(Map<String, String> params) {
      initParams.putAll(params);
      return this;
    }

    public Registration<T> asyncSupported() {
      asyncSupported = true;
      return this;
    }

    /** The dispatcher types a filter applies to ({@link DispatcherType#REQUEST} unless set). */
    public Registration<T> dispatchers(Set<DispatcherType> types) {
      dispatchers.clear();
      dispatchers.addAll(types);
      return this;
    }

    /** Loads a servlet when the application starts (by default: on its first request). */
    public Registration<T> loadOnStartup(int order) {
      loadOnStartup = order;
      return this;
    }

    String className() {
      return instance != null ? instance.getClass().getName() : type.getName();
    }
  }

  /** A JNDI resource in the application's {@code java:comp/env} (Tomcat only). */
  record JndiResource(String name, String type, Map<String, String> properties) {}

  final String contextPath;
  final List<Registration<Filter>> filters = new ArrayList<>();
  final List<Registration<Servlet>> servlets = new ArrayList<>();
  final Map<String, Object> attributes = new LinkedHashMap<>();
  final List<JndiResource> jndiResources = new ArrayList<>();
  String errorPage;
  int requestHeaderSize = -1;
  boolean productionErrorReports;

  private WebApp(String contextPath) {
    this.contextPath = contextPath;
  }

  /** An application at the root context. */
  public static WebApp root() {
    return new WebApp("");
  }

  /** An application at {@code contextPath}, e.g. {@code /ctx}. */
  public static WebApp at(String contextPath) {
    if (!contextPath.startsWith("/") || contextPath.endsWith("/")) {
      throw new IllegalArgumentException("a context path like /ctx: " + contextPath);
    }
    return new WebApp(contextPath);
  }

  public Registration<Filter> filter(String name, Filter filter) {
    return add(filters, new Registration<>(name, filter, null));
  }

  public Registration<Filter> filter(String name, Class<? extends Filter> filterClass) {
    return add(filters, new Registration<>(name, null, filterClass));
  }

  public Registration<Servlet> servlet(String name, Servlet servlet) {
    return add(servlets, new Registration<>(name, servlet, null));
  }

  public Registration<Servlet> servlet(String name, Class<? extends Servlet> servletClass) {
    return add(servlets, new Registration<>(name, null, servletClass));
  }

  /** A servlet context attribute, set before any filter or servlet is initialized. */
  public WebApp attribute(String name, Object value) {
    attributes.put(name, value);
    return this;
  }

  /** The error page for status 500 and any exception. */
  public WebApp errorPage(String location) {
    errorPage = location;
    return this;
  }

  /** The largest request header the connector accepts, in bytes (else the container's default). */
  public WebApp requestHeaderSize(int bytes) {
    requestHeaderSize = bytes;
    return this;
  }

  /**
   * As in production: the container's own error pages (for requests it refuses itself, before any
   * filter runs) show no stack trace and no server info. Tomcat only; Jetty's are left as they are.
   */
  public WebApp productionErrorReports() {
    productionErrorReports = true;
    return this;
  }

  /**
   * A JNDI resource at {@code java:comp/env/<name>}, made by the factory named in {@code
   * properties} (Tomcat only; it enables naming).
   */
  public WebApp jndiResource(String name, String type, Map<String, String> properties) {
    jndiResources.add(new JndiResource(name, type, new LinkedHashMap<>(properties)));
    return this;
  }

  private static <T> Registration<T> add(List<Registration<T>> list, Registration<T> r) {
    list.add(r);
    return r;
  }
}
