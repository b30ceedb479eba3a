package dev.tollgate.jaxrs;

import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** The contract on Jersey's servlet container in embedded Jetty 12 (ee10), below /ctx/api/. */
class JerseyServletContractIT extends JaxRsContract {

  private RunningContainer container;

  @Override
  protected URI deploy(Application app) throws Exception {
    WebApp web = WebApp.at("/ctx");
    web.servlet("jersey", new ServletContainer(ResourceConfig.forApplication(app)))
        .mapping("/api/*")
        .asyncSupported();
    container = EmbeddedContainer.JETTY.start(web);
    return container.baseUri().resolve("api/");
  }

  @Override
  protected void undeploy() throws Exception {
    if (container != null) {
      container.close();
    }
  }
}
