package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.apache.cxf.jaxrs.servlet.CXFNonSpringJaxrsServlet;
import org.junit.jupiter.api.Test;

/**
 * The contract on Apache CXF 4.1 (Jakarta REST 3.1, the runtime of TomEE) with its servlet
 * transport in embedded Jetty 12 (ee10), below /ctx/api/.
 */
class CxfContractIT extends JaxRsContract {

  private RunningContainer container;

  @Override
  protected URI deploy(Application app) throws Exception {
    WebApp web = WebApp.at("/ctx");
    web.servlet("cxf", new CXFNonSpringJaxrsServlet(app)).mapping("/api/*").asyncSupported();
    container = EmbeddedContainer.JETTY.start(web);
    return container.baseUri().resolve("api/");
  }

  @Override
  protected void undeploy() throws Exception {
    if (container != null) {
      container.close();
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
