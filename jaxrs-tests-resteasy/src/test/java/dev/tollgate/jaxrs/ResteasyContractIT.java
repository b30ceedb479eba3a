package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.ws.rs.core.Application;
import java.net.URI;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.jboss.resteasy.spi.ResteasyDeployment;
import org.junit.jupiter.api.Test;

/**
 * The contract on RESTEasy 6.2 (Jakarta REST 3.1, the runtime of WildFly and JBoss EAP) as a
 * servlet in embedded Tomcat 10.1, below /ctx/api/.
 */
class ResteasyContractIT extends JaxRsContract {

  private Tomcat tomcat;

  @Override
  protected URI deploy(Application app) throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tollgate-resteasy").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("/ctx", null);
    // RESTEasy's servlet takes a deployment (here: of an Application instance) from this attribute.
    ResteasyDeployment deployment = new ResteasyDeploymentImpl();
    deployment.setApplication(app);
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            servletContext.setAttribute(ResteasyDeployment.class.getName(), deployment),
        null);
    Wrapper servlet = Tomcat.addServlet(context, "resteasy", new HttpServlet30Dispatcher());
    servlet.setAsyncSupported(true);
    servlet.setLoadOnStartup(1);
    servlet.addInitParameter("resteasy.servlet.mapping.prefix", "/api");
    context.addServletMappingDecoded("/api/*", "resteasy");
    tomcat.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/ctx/api/");
  }

  @Override
  protected void undeploy() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
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
