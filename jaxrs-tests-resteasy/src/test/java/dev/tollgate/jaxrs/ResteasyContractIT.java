package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.jboss.resteasy.spi.ResteasyDeployment;
import org.junit.jupiter.api.Test;

/**
 * The contract on RESTEasy 6.2 (Jakarta REST 3.1, the runtime of WildFly and JBoss EAP) as a
 * servlet in embedded Tomcat 10.1, below /ctx/api/.
 */
class ResteasyContractIT extends JaxRsContract {

  private RunningContainer container;

  @Override
  protected URI deploy(Application app) throws Exception {
    // RESTEasy's servlet takes a deployment (here: of an Application instance) from this attribute.
    ResteasyDeployment deployment = new ResteasyDeploymentImpl();
    deployment.setApplication(app);
    WebApp web = WebApp.at("/ctx").attribute(ResteasyDeployment.class.getName(), deployment);
    web.servlet("resteasy", new HttpServlet30Dispatcher())
        .mapping("/api/*")
        .asyncSupported()
        .loadOnStartup(1)
        .initParam("resteasy.servlet.mapping.prefix", "/api");
    container = EmbeddedContainer.TOMCAT.start(web);
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
