package dev.tollgate.testing;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.descriptor.web.ContextResource;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Runs a {@link WebApp} in embedded Tomcat 10.1 on 127.0.0.1 and a random port. */
final class TomcatLauncher {

  private TomcatLauncher() {}

  static RunningContainer start(WebApp app) throws Exception {
    Path base = Files.createTempDirectory("tollgate-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    if (!app.jndiResources.isEmpty()) {
      tomcat.enableNaming();
    }
    Connector connector = connector(app);
    tomcat.setConnector(connector);
    if (app.productionErrorReports) {
      ErrorReportValve errors = new ErrorReportValve();
      errors.setShowReport(false);
      errors.setShowServerInfo(false);
      tomcat.getHost().getPipeline().addValve(errors);
    }

    Context context = tomcat.addContext(app.contextPath, null);
    addJndiResources(context, app);
    if (!app.attributes.isEmpty()) {
      context.addServletContainerInitializer(
          (classes, servletContext) -> app.attributes.forEach(servletContext::setAttribute), null);
    }
    addFilters(context, app);
    addServlets(context, app);
    addErrorPage(context, app);
    String failure = startCapturingFailure(tomcat, context);
    return new StartedContainer(
        connector.getLocalPort(),
        app.contextPath,
        failure,
        name -> context.getServletContext().getAttribute(name),
        () -> {
          tomcat.stop();
          tomcat.destroy();
        });
  }

  /** An HTTP connector on 127.0.0.1 and a free port. */
  private static Connector connector(WebApp app) {
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    if (app.requestHeaderSize > 0) {
      connector.setProperty("maxHttpHeaderSize", Integer.toString(app.requestHeaderSize));
    }
    return connector;
  }

  private static void addJndiResources(Context context, WebApp app) {
    for (WebApp.JndiResource r : app.jndiResources) {
      ContextResource resource = new ContextResource();
      resource.setName(r.name());
      resource.setType(r.type());
      resource.setAuth("Container");
      r.properties().forEach(resource::setProperty);
      context.getNamingResources().addResource(resource);
    }
  }

  private static void addFilters(Context context, WebApp app) {
    for (WebApp.Registration<Filter> f : app.filters) {
      FilterDef def = new FilterDef();
      def.setFilterName(f.name);
      if (f.instance != null) {
        def.setFilter(f.instance);
      }
      def.setFilterClass(f.className());
      def.setAsyncSupported(Boolean.toString(f.asyncSupported));
      f.initParams.forEach(def::addInitParameter);
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName(f.name);
      f.mappings.forEach(map::addURLPattern);
      f.dispatchers.forEach(type -> map.setDispatcher(type.name()));
      context.addFilterMap(map);
    }
  }

  private static void addServlets(Context context, WebApp app) {
    for (WebApp.Registration<Servlet> s : app.servlets) {
      Wrapper w =
          s.instance != null
              ? Tomcat.addServlet(context, s.name, s.instance)
              : Tomcat.addServlet(context, s.name, s.className());
      w.setAsyncSupported(s.asyncSupported);
      w.setLoadOnStartup(s.loadOnStartup);
      s.initParams.forEach(w::addInitParameter);
      s.mappings.forEach(pattern -> context.addServletMappingDecoded(pattern, s.name));
    }
  }

  private static void addErrorPage(Context context, WebApp app) {
    if (app.errorPage != null) {
      ErrorPage status = new ErrorPage();
      status.setErrorCode(500);
      status.setLocation(app.errorPage);
      context.addErrorPage(status);
      ErrorPage exception = new ErrorPage();
      exception.setExceptionType(Throwable.class.getName());
      exception.setLocation(app.errorPage);
      context.addErrorPage(exception);
    }
  }

  /**
   * Starts Tomcat; returns why the context did not start, or {@code null}. Tomcat logs a failing
   * filter through JULI (java.util.logging) and marks the context FAILED.
   */
  private static String startCapturingFailure(Tomcat tomcat, Context context) throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              logged.add(
                  r.getMessage()
                      + (r.getThrown() == null
                          ? ""
                          : "\n" + EmbeddedContainer.messages(r.getThrown())));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      tomcat.start();
    } finally {
      root.removeHandler(capture);
    }
    return context.getState() == LifecycleState.STARTED
        ? null
        : "context " + context.getState() + "\n" + String.join("\n", logged);
  }
}
