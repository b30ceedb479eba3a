package dev.tollgate.example.jersey;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Serves the built {@code jersey-example.war} in Jetty 12 (ee10) until stopped with Ctrl+C:
 * {@code mvn -pl examples/jersey-example exec:java}. The WAR is deployed unchanged, as a
 * container would deploy it from its webapps folder.
 */
public final class RunExample {

  private RunExample() {}

  public static void main(String[] args) throws Exception {
    Path war = Path.of(System.getProperty("example.war", "examples/jersey-example/target/jersey-example.war"));
    int port = Integer.getInteger("example.port", 8080);
    if (!Files.isRegularFile(war)) {
      System.err.println("No WAR at " + war.toAbsolutePath() + "; build it first: mvn -B -pl examples/jersey-example -am install -DskipTests");
      System.exit(2);
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(port);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar(war.toAbsolutePath().toString());
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();

    String base = "http://localhost:" + connector.getLocalPort();
    System.out.println();
    System.out.println("Tollgate Jersey example: " + war.getFileName() + " on " + base + " (Jetty 12, ee10). Ctrl+C stops it.");
    System.out.println("Limits and headers: WEB-INF/classes/tollgate.properties inside the WAR (src/main/resources/);"
        + " /api/reports is limited by @RateLimit on ReportsResource.");
    System.out.println();
    System.out.println("Try:");
    System.out.println("  curl -i '" + base + "/api/assets'                      # 20 items (the default page size)");
    System.out.println("  curl -i '" + base + "/api/assets?pageSize=5000&page=2' # pageSize lowered to 1000");
    System.out.println("  curl -i '" + base + "/api/assets?pageSize=ten'         # 400 problem");
    System.out.println("  curl -i -H 'X-Api-Key: demo' '" + base + "/api/reports?pageSize=500'  # 100 items; @RateLimit: 10/min per client");
    System.out.println("  for i in $(seq 101); do curl -s -o /dev/null -w '%{http_code} ' -H 'X-Api-Key: k1' '" + base
        + "/api/assets?pageSize=1'; done; echo   # the 101st is 429");
    System.out.println("  curl -i -H 'X-Api-Key: k2' '" + base + "/api/assets?pageSize=1'  # another key is still served");
    System.out.println();
    server.join();
  }
}
