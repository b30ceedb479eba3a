package dev.tollgate.servlet;

import jakarta.servlet.DispatcherType;
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
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Runs an {@link App} in embedded Tomcat 10.1 on 127.0.0.1 and a random port. */
final class TomcatContainer {

  private TomcatContainer() {}

  static Running start(App app) throws Exception {
    Path base = Files.createTempDirectory("tollgate-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);

    Context context = tomcat.addContext("", null);
    FilterDef def = new FilterDef();
    def.setFilterName("tollgate");
    if (app.filter != null) {
      def.setFilter(app.filter);
    }
    def.setFilterClass(TollgateFilter.class.getName());
    def.setAsyncSupported("true");
    app.initParams.forEach(def::addInitParameter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("tollgate");
    map.addURLPattern("/*");
    for (DispatcherType type : DispatcherType.values()) {
      map.setDispatcher(type.name());
    }
    context.addFilterMap(map);
    int i = 0;
    for (var s : app.servlets.entrySet()) {
      String name = "servlet" + i++;
      Wrapper w = Tomcat.addServlet(context, name, s.getValue());
      w.setAsyncSupported(true);
      context.addServletMappingDecoded(s.getKey(), name);
    }
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

    // Tomcat logs a failing filter through JULI (java.util.logging) and marks the context FAILED.
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
                          : "\n" + JettyContainer.messages(r.getThrown())));
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
    String failure =
        context.getState() == LifecycleState.STARTED
            ? null
            : "context " + context.getState() + "\n" + String.join("\n", logged);
    return new Running() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public String startupFailure() {
        return failure;
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }
}
