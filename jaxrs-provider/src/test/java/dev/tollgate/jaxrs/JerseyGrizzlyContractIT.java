package dev.tollgate.jaxrs;

import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The contract on Jersey's own Grizzly container: no servlet API in the request path, so the peer
 * address comes from the Jersey extra ({@link JerseyExtras}).
 */
class JerseyGrizzlyContractIT extends JaxRsContract {

  private HttpServer server;

  @Override
  protected URI deploy(Application app) throws Exception {
    server = GrizzlyJerseyTest.grizzlyServer(ResourceConfig.forApplication(app));
    server.start();
    return URI.create("http://127.0.0.1:" + GrizzlyJerseyTest.portOf(server) + "/");
  }

  @Override
  protected void undeploy() {
    if (server != null) {
      server.shutdownNow();
    }
  }
}
