package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.core.ClientKeys;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ContextResource;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDBC plan source configured only by init-params, its {@code DataSource} a container resource
 * found by JNDI name ({@code java:comp/env/jdbc/plans}) in embedded Tomcat with naming enabled, as
 * in the README's Tomcat configuration; the database is a real H2.
 */
class TomcatJndiPlansIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String URL = "jdbc:h2:mem:tomcat-plans;DB_CLOSE_DELAY=-1";

  private Tomcat tomcat;

  @AfterEach
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
  }

  @Test
  void keysAreOnThePlansTheDatabaseSays() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "sa", "");
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE tenants (client_key VARCHAR(128) PRIMARY KEY, plan VARCHAR(32) NOT NULL)");
      s.execute(
          "INSERT INTO tenants VALUES ('" + ClientKeys.hashed("key:", "pro-key") + "', 'pro')");
    }
    tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tollgate-tomcat-jndi").toString());
    tomcat.enableNaming();
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    ContextResource resource = new ContextResource();
    resource.setName("jdbc/plans");
    resource.setType("org.h2.jdbcx.JdbcDataSource"); // H2's factory makes only its own type
    resource.setAuth("Container");
    resource.setProperty("factory", "org.h2.jdbcx.JdbcDataSourceFactory");
    resource.setProperty("url", URL);
    resource.setProperty("user", "sa");
    resource.setProperty("password", "");
    resource.setProperty("description", "tenants' plans"); // H2's factory needs every one of these
    resource.setProperty("loginTimeout", "5");
    context.getNamingResources().addResource(resource);

    FilterDef def = new FilterDef();
    def.setFilterName("tollgate");
    def.setFilterClass(TollgateFilter.class.getName());
    def.addInitParameter("client.key", "header:X-Api-Key, ip");
    def.addInitParameter("plans.free.limits", "2/1m");
    def.addInitParameter("plans.pro.limits", "5/1m");
    def.addInitParameter("plans.default", "free");
    def.addInitParameter("plans.resolvers", "jdbc");
    def.addInitParameter("plans.jdbc.datasource", "java:comp/env/jdbc/plans");
    def.addInitParameter("plans.jdbc.query", "SELECT plan FROM tenants WHERE client_key = ?");
    def.addInitParameter("plans.cache.timeout", "5s");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("tollgate");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    Tomcat.addServlet(
        context,
        "ok",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws java.io.IOException {
            resp.getWriter().print("ok");
          }
        });
    context.addServletMappingDecoded("/*", "ok");
    tomcat.start();
    int port = connector.getLocalPort();

    assertEquals("\"pro-minute\";q=5;w=60", policy(port, "pro-key"));
    assertEquals("\"free-minute\";q=2;w=60", policy(port, "other-key"));
  }

  private static String policy(int port, String apiKey) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                .header("X-Api-Key", apiKey)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.headers().firstValue("RateLimit-Policy").orElse(null);
  }
}
