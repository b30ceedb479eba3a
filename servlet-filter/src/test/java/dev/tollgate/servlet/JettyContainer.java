package dev.tollgate.servlet;

import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Runs an {@link App} in embedded Jetty 12 (ee10) on 127.0.0.1 and a random port. */
final class JettyContainer {

  private JettyContainer() {}

  static Running start(App app) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter =
        app.filter != null ? new FilterHolder(app.filter) : new FilterHolder(TollgateFilter.class);
    filter.setName("tollgate");
    filter.setAsyncSupported(true);
    app.initParams.forEach(filter::setInitParameter);
    context.addFilter(filter, "/*", EnumSet.allOf(DispatcherType.class));
    int i = 0;
    for (var s : app.servlets.entrySet()) {
      ServletHolder holder = new ServletHolder("servlet" + i++, s.getValue());
      holder.setAsyncSupported(true);
      context.addServlet(holder, s.getKey());
    }
    if (app.errorPage != null) {
      ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
      errors.addErrorPage(500, app.errorPage);
      errors.addErrorPage(Throwable.class, app.errorPage);
      context.setErrorHandler(errors);
    }
    server.setHandler(context);

    String failure = null;
    try {
      server.start();
      if (!context.isAvailable()) {
        failure = "context not available";
      }
    } catch (Exception e) {
      failure = messages(e);
    }
    String why = failure;
    return new Running() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public String startupFailure() {
        return why;
      }

      @Override
      public Object contextAttribute(String name) {
        return context.getServletContext().getAttribute(name);
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }

  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      out.append(c).append('\n');
    }
    return out.toString();
  }
}
