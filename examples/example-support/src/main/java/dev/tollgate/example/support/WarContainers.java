package dev.tollgate.example.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Deploys a WAR file unchanged, as a container deploys it from its webapps folder. */
public final class WarContainers {

  private WarContainers() {}

  /**
   * Jetty 12 (ee10) with a {@link WebAppContext} at the root context.
   *
   * @param host the address to bind, e.g. {@code 127.0.0.1}; null for every interface
   * @param port the port; 0 for any free port
   * @param bound told the port actually bound
   */
  public static AutoCloseable jetty(Path war, String host, int port, IntConsumer bound)
      throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar(war.toAbsolutePath().toString());
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    bound.accept(connector.getLocalPort());
    return server::stop;
  }

  /**
   * Embedded Tomcat with {@link Tomcat#addWebapp(String, String)} at the root context, on
   * 127.0.0.1: 10.1 from the class path, or 11 in the examples' failsafe execution "tomcat-11",
   * which swaps the jar and sets {@code example.tomcat.major} so that a swap gone wrong fails
   * instead of testing 10.1 twice.
   */
  public static AutoCloseable tomcat(Path war, IntConsumer bound) throws Exception {
    String major = System.getProperty("example.tomcat.major");
    if (major != null && !ServerInfo.getServerNumber().startsWith(major + ".")) {
      throw new IllegalStateException(
          "expected Tomcat "
              + major
              + " on the class path but found "
              + ServerInfo.getServerInfo());
    }
    Path base = Files.createTempDirectory("tollgate-example-tomcat");
    Files.createDirectories(base.resolve("webapps"));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    // No JSP engine in embedded tomcat-embed-core: leave out conf/web.xml's JSP servlet...
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context context = tomcat.addWebapp("", war.toAbsolutePath().toString());
    // ...but keep its default servlet on "/", as every Tomcat installation has: without any servlet
    // mapped to a path (such as the status path), Tomcat answers 404 without running filters.
    Tomcat.addServlet(context, "default", "org.apache.catalina.servlets.DefaultServlet");
    context.addServletMappingDecoded("/", "default");
    tomcat.start();
    if (context.getState() != LifecycleState.STARTED) {
      tomcat.stop();
      throw new IllegalStateException("the WAR did not start in Tomcat: " + context.getState());
    }
    bound.accept(connector.getLocalPort());
    return () -> {
      tomcat.stop();
      tomcat.destroy();
    };
  }
}
