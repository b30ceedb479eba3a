package dev.tollgate.jaxrs;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The attacks of {@link HardeningIT} in Jersey's servlet container on Jetty 12, below /ctx/api/.
 */
class JettyHardeningIT extends HardeningIT {

  @Override
  Started startServer(ResourceConfig app) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/ctx");
    context.addServlet(new ServletHolder(new ServletContainer(app)), "/api/*");
    server.setHandler(context);
    server.start();
    return new Started() {
      @Override
      public String basePath() {
        return "/ctx/api/";
      }

      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }

  @Override
  String container() {
    return "Jetty 12";
  }

  @Override
  boolean malformedUrisReachJersey() {
    return true;
  }

  @Override
  boolean runsFloods() {
    return false;
  }
}
