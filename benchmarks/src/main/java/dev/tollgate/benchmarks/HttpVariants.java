package dev.tollgate.benchmarks;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.filters.RateLimitFilter;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The one embedded Jetty server of {@link HttpOverhead}, on 127.0.0.1 and a free port: the endpoint
 * under {@code /<variant>/api/assets} for every variant, in the order they are loaded. The adapters
 * are loaded by name: a missing one is left out of the variants and reported in {@link #missing}.
 */
final class HttpVariants {

  private final Server server;
  private final List<Tollgate> limiters;
  private final List<String> variants;
  private final Map<String, String> missing;
  private final int port;

  private HttpVariants(
      Server server,
      List<Tollgate> limiters,
      List<String> variants,
      Map<String, String> missing,
      int port) {
    this.server = server;
    this.limiters = limiters;
    this.variants = variants;
    this.missing = missing;
    this.port = port;
  }

  /**
   * Builds and starts the server; both Tollgate adapters run {@code config}, each with its own
   * {@link Tollgate}. {@code -Dtollgate.http.only=servlet-filter} keeps one variant alone, e.g.
   * under a profiler.
   */
  static HttpVariants start(TollgateConfig config, TollgateConfig withoutHeaders) throws Exception {
    Map<String, String> missing = new LinkedHashMap<>();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = withoutLimiter();
    List<String> variants = new ArrayList<>(List.of("servlet", "jaxrs"));
    Tollgate forFilter = Tollgate.create(config);
    Tollgate forFeature = Tollgate.create(config);
    Tollgate forBareFilter = Tollgate.create(withoutHeaders);
    addTollgateFilter(context, forFilter, "servlet-filter", variants, missing);
    addTollgateFilter(context, forBareFilter, "servlet-filter-no-headers", variants, missing);
    addTomcatFilter(context, variants);
    addTollgateFeature(context, forFeature, variants, missing);
    String only = System.getProperty("tollgate.http.only");
    if (only != null) {
      variants.retainAll(List.of(only.split(",")));
    }
    server.setHandler(context);
    server.start();
    return new HttpVariants(
        server,
        List.of(forFilter, forBareFilter, forFeature),
        variants,
        missing,
        connector.getLocalPort());
  }

  /** The endpoint as a servlet under three prefixes (filters come later) and as JAX-RS. */
  private static ServletContextHandler withoutLimiter() {
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new HttpOverhead.Hello()), "/servlet/api/assets");
    context.addServlet(new ServletHolder(new HttpOverhead.Hello()), "/servlet-filter/api/assets");
    context.addServlet(
        new ServletHolder(new HttpOverhead.Hello()), "/servlet-filter-no-headers/api/assets");
    context.addServlet(new ServletHolder(new HttpOverhead.Hello()), "/servlet-tomcat/api/assets");
    context.addServlet(
        new ServletHolder(
            new ServletContainer(new ResourceConfig(HttpOverhead.HelloResource.class))),
        "/jaxrs/*");
    return context;
  }

  /** Tollgate's servlet filter in front of the endpoint under {@code /<variant>}. */
  private static void addTollgateFilter(
      ServletContextHandler context,
      Tollgate tollgate,
      String variant,
      List<String> variants,
      Map<String, String> missing) {
    try {
      Filter filter =
          (Filter)
              Class.forName("dev.tollgate.servlet.TollgateFilter")
                  .getConstructor(Tollgate.class)
                  .newInstance(tollgate);
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      context.addFilter(holder, "/" + variant + "/*", EnumSet.of(DispatcherType.REQUEST));
      variants.add(variants.indexOf("jaxrs"), variant);
    } catch (ReflectiveOperationException | LinkageError e) {
      missing.put(variant, e.toString());
    }
  }

  /** Tomcat's own limiter, the peer: one fixed-window counter per client IP. */
  private static void addTomcatFilter(ServletContextHandler context, List<String> variants) {
    FilterHolder tomcat = new FilterHolder(new RateLimitFilter());
    tomcat.setInitParameter(
        "bucketRequests", "100000000"); // Tomcat scales it to its rounded window: keep it in an int
    tomcat.setInitParameter("bucketDuration", "60");
    context.addFilter(tomcat, "/servlet-tomcat/*", EnumSet.of(DispatcherType.REQUEST));
    variants.add(variants.indexOf("servlet") + 1, "servlet-tomcat");
  }

  private static void addTollgateFeature(
      ServletContextHandler context,
      Tollgate tollgate,
      List<String> variants,
      Map<String, String> missing) {
    try {
      Object feature =
          Class.forName("dev.tollgate.jaxrs.TollgateFeature")
              .getConstructor(Tollgate.class)
              .newInstance(tollgate);
      context.addServlet(
          new ServletHolder(
              new ServletContainer(
                  new ResourceConfig(HttpOverhead.HelloResource.class).register(feature))),
          "/jaxrs-provider/*");
      variants.add("jaxrs-provider");
    } catch (ReflectiveOperationException | LinkageError e) {
      missing.put("jaxrs-provider", e.toString());
    }
  }

  /** The variants to load, in order. */
  List<String> variants() {
    return variants;
  }

  /** Variant to why it could not be served. */
  Map<String, String> missing() {
    return missing;
  }

  /** The endpoint of {@code variant}. */
  URI uri(String variant) {
    return URI.create("http://127.0.0.1:" + port + "/" + variant + "/api/assets?pageSize=20");
  }

  /** Stops the server, then closes the adapters' limiters. */
  void stop() throws Exception {
    server.stop();
    for (Tollgate t : limiters) {
      t.close();
    }
  }
}
