package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.apache.cxf.jaxrs.servlet.CXFNonSpringJaxrsServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The contract on Apache CXF 4.1 (Jakarta REST 3.1, the runtime of TomEE) with its servlet
 * transport in embedded Jetty 12 (ee10), below /ctx/api/.
 */
class CxfContractIT extends JaxRsContract {

  private Server server;

  @Override
  protected URI deploy(Application app) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/ctx");
    ServletHolder cxf = new ServletHolder(new CXFNonSpringJaxrsServlet(app));
    cxf.setAsyncSupported(true);
    context.addServlet(cxf, "/api/*");
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

  @Test
  void runsWithoutJerseyOnTheClassPath() {
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("org.glassfish.jersey.InjectionManagerProvider"));
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("org.glassfish.jersey.server.ResourceConfig"));
  }
}
