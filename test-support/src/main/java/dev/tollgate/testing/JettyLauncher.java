package dev.tollgate.testing;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Runs a {@link WebApp} in embedded Jetty 12 (ee10) on 127.0.0.1 and a random port. */
final class JettyLauncher {

  private JettyLauncher() {}

  static RunningContainer start(WebApp app) throws Exception {
    if (!app.jndiResources.isEmpty()) {
      throw new UnsupportedOperationException("JNDI resources are for Tomcat only");
    }
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    if (app.requestHeaderSize > 0) {
      http.setRequestHeaderSize(app.requestHeaderSize);
    }
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler context = context(app);
    server.setHandler(context);

    String failure = null;
    try {
      server.start();
      if (!context.isAvailable()) {
        failure = "context not available";
      }
    } catch (Exception e) {
      failure = EmbeddedContainer.messages(e);
    }
    return new StartedContainer(
        connector.getLocalPort(),
        app.contextPath,
        failure,
        name -> context.getServletContext().getAttribute(name),
        server::stop);
  }

  /** The application's filters, servlets, attributes and error page in a servlet context. */
  private static ServletContextHandler context(WebApp app) {
    ServletContextHandler context =
        new ServletContextHandler(app.contextPath.isEmpty() ? "/" : app.contextPath);
    app.attributes.forEach(context::setAttribute);
    for (WebApp.Registration<Filter> f : app.filters) {
      FilterHolder holder = f.instance != null ? new FilterHolder(f.instance) : new FilterHolder();
      if (f.instance == null) {
        holder.setHeldClass(f.type);
      }
      holder.setName(f.name);
      holder.setAsyncSupported(f.asyncSupported);
      holder.setInitParameters(f.initParams);
      for (String pattern : f.mappings) {
        context.addFilter(holder, pattern, f.dispatchers);
      }
    }
    for (WebApp.Registration<Servlet> s : app.servlets) {
      ServletHolder holder =
          s.instance != null
              ? new ServletHolder(s.name, s.instance)
              : new ServletHolder(s.name, s.type);
      holder.setAsyncSupported(s.asyncSupported);
      holder.setInitParameters(s.initParams);
      if (s.loadOnStartup >= 0) {
        holder.setInitOrder(s.loadOnStartup);
      }
      for (String pattern : s.mappings) {
        context.addServlet(holder, pattern);
      }
    }
    if (app.errorPage != null) {
      ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
      errors.addErrorPage(500, app.errorPage);
      errors.addErrorPage(Throwable.class, app.errorPage);
      context.setErrorHandler(errors);
    }
    return context;
  }
}
