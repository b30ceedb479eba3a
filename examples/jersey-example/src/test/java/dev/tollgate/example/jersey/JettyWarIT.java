package dev.tollgate.example.jersey;

import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The WAR in embedded Jetty 12 (ee10) with a {@link WebAppContext}. */
class JettyWarIT extends ExampleContract {

  @Override
  AutoCloseable deploy(Path war) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar(war.toAbsolutePath().toString());
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    bound(connector.getLocalPort());
    return server::stop;
  }
}
