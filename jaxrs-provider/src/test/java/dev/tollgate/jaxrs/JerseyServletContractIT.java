package dev.tollgate.jaxrs;

import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** The contract on Jersey's servlet container in embedded Jetty 12 (ee10), below /ctx/api/. */
class JerseyServletContractIT extends JaxRsContract {

  private Server server;

  @Override
  protected URI deploy(Application app) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/ctx");
    ServletHolder jersey =
        new ServletHolder(new ServletContainer(ResourceConfig.forApplication(app)));
    jersey.setAsyncSupported(true);
    context.addServlet(jersey, "/api/*");
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/ctx/api/");
  }

  @Override
  protected void undeploy() throws Exception {
    if (server != null) {
      server.stop();
    }
  }
}
