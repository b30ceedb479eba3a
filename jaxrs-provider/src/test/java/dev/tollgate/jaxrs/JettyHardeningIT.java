package dev.tollgate.jaxrs;

import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The attacks of {@link HardeningIT} in Jersey's servlet container on Jetty 12, below /ctx/api/.
 */
class JettyHardeningIT extends HardeningIT {

  @Override
  Started startServer(ResourceConfig app) throws Exception {
    WebApp web = WebApp.at("/ctx");
    web.servlet("jersey", new ServletContainer(app)).mapping("/api/*");
    RunningContainer running = EmbeddedContainer.JETTY.start(web);
    return new Started() {
      @Override
      public String basePath() {
        return "/ctx/api/";
      }

      @Override
      public int port() {
        return running.port();
      }

      @Override
      public void close() throws Exception {
        running.close();
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
