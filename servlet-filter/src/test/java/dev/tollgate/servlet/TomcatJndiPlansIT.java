package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.core.ClientKeys;
import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
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

  private RunningContainer container;

  @AfterEach
  void stop() throws Exception {
    if (container != null) {
      container.close();
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
    WebApp app =
        WebApp.root()
            .jndiResource(
                "jdbc/plans",
                "org.h2.jdbcx.JdbcDataSource", // H2's factory makes only its own type
                Map.of(
                    "factory", "org.h2.jdbcx.JdbcDataSourceFactory",
                    "url", URL,
                    "user", "sa",
                    "password", "",
                    "description", "tenants' plans", // H2's factory needs every one of these
                    "loginTimeout", "5"));
    app.filter("tollgate", TollgateFilter.class)
        .mapping("/*")
        .initParam("client.key", "header:X-Api-Key, ip")
        .initParam("plans.free.limits", "2/1m")
        .initParam("plans.pro.limits", "5/1m")
        .initParam("plans.default", "free")
        .initParam("plans.resolvers", "jdbc")
        .initParam("plans.jdbc.datasource", "java:comp/env/jdbc/plans")
        .initParam("plans.jdbc.query", "SELECT plan FROM tenants WHERE client_key = ?")
        .initParam("plans.cache.timeout", "5s");
    app.servlet(
            "ok",
            new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                  throws java.io.IOException {
                resp.getWriter().print("ok");
              }
            })
        .mapping("/*");
    container = EmbeddedContainer.TOMCAT.start(app);
    int port = container.port();

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
