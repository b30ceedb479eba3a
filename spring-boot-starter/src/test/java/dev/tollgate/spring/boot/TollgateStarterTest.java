package dev.tollgate.spring.boot;

import static dev.tollgate.spring.boot.Http.basic;
import static dev.tollgate.spring.boot.Http.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.internal.Hashing;
import dev.tollgate.servlet.TollgateFilter;
import dev.tollgate.spring.boot.testapp.TestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.ServletContext;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/**
 * A real Boot application on its embedded Tomcat, over real HTTP, with the limits of
 * src/test/resources/application.properties: 5 per minute and 1,000 per rolling day per API key,
 * page sizes 20 by default and at most 50, /api/slow 2 per minute more.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TollgateStarterTest {

  @LocalServerPort int port;

  @Autowired Tollgate tollgate;

  @Autowired MeterRegistry registry;

  @Autowired FilterRegistrationBean<TollgateFilter> tollgateFilter;

  @Autowired TestApplication.TestClock clock;

  @Autowired ServletContext servletContext;

  private Http http;

  @BeforeEach
  void setUp() {
    http = new Http(port);
  }

  private static String fresh() {
    return UUID.randomUUID().toString();
  }

  /**
   * A request to Actuator as {@code user}. Tollgate counts every request, Actuator's too; each call
   * here is its own client so that the tests' few per-minute quotas do not get in the way.
   */
  private HttpRequest.Builder actuator(String pathAndQuery, String user) {
    return http.request(pathAndQuery)
        .header("Authorization", basic(user, user + "-pw"))
        .header("X-Api-Key", fresh());
  }

  @Test
  void limitsFromApplicationPropertiesThen429WithHeaders() throws Exception {
    String key = fresh();
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> r = http.get("/api/items", key);
      assertEquals(200, r.statusCode(), "request " + i);
      assertEquals("\"minute\";q=5;w=60, \"day\";q=1000;w=86400", header(r, "RateLimit-Policy"));
      assertTrue(
          header(r, "RateLimit")
              .startsWith("\"minute\";r=" + (5 - i) + ";t=30, \"day\";r=" + (1000 - i) + ";"),
          header(r, "RateLimit"));
      assertEquals(Integer.toString(5 - i), header(r, "X-Rate-Limit-Remaining"));
    }
    HttpResponse<String> rejected = http.get("/api/items", key);
    assertEquals(429, rejected.statusCode());
    assertEquals("30", header(rejected, "Retry-After"), "the test clock stands at :30 of a minute");
    assertTrue(
        header(rejected, "Content-Type").startsWith("application/problem+json"),
        header(rejected, "Content-Type"));
    assertTrue(rejected.body().contains("\"violated-policies\":[\"minute\"]"), rejected.body());
    assertEquals("1m", header(rejected, "X-Rate-Limit-Limit"));
    assertEquals("0", header(rejected, "X-Rate-Limit-Remaining"));

    assertEquals(
        200, http.get("/api/items", fresh()).statusCode(), "another client has its own count");
  }

  @Test
  void endpointRuleAddsItsOwnLimit() throws Exception {
    String key = fresh();
    assertEquals(200, http.get("/api/slow", key).statusCode());
    HttpResponse<String> second = http.get("/api/slow", key);
    assertEquals(
        "\"minute\";q=5;w=60, \"day\";q=1000;w=86400, \"slow.minute\";q=2;w=60",
        header(second, "RateLimit-Policy"));
    HttpResponse<String> third = http.get("/api/slow", key);
    assertEquals(429, third.statusCode());
    assertTrue(third.body().contains("\"violated-policies\":[\"slow.minute\"]"), third.body());
  }

  @Test
  void theApplicationSeesTheClampedPageSize() throws Exception {
    assertEquals("pageSize=50 user=-", http.get("/api/items?pageSize=5000", fresh()).body());
    assertEquals("pageSize=20 user=-", http.get("/api/items", fresh()).body());
    assertEquals("pageSize=7 user=-", http.get("/api/items?pageSize=7", fresh()).body());
    HttpResponse<String> invalid = http.get("/api/items?pageSize=ten", fresh());
    assertEquals(400, invalid.statusCode());
    assertTrue(invalid.body().contains("\"invalid-params\""), invalid.body());
  }

  @Test
  void theFilterRunsEarlyForEveryRequestOnTheStartersEngine() {
    assertEquals(TollgateAutoConfiguration.FILTER_ORDER, tollgateFilter.getOrder());
    assertTrue(tollgateFilter.getUrlPatterns().contains("/*"));
    assertSame(
        tollgate,
        servletContext.getAttribute(TollgateFilter.ENGINE_ATTRIBUTE),
        "the filter runs the Tollgate bean and publishes it as usual");
  }

  @Test
  void decisionsAreMetersInTheApplicationsRegistry() throws Exception {
    String key = fresh();
    for (int i = 0; i < 6; i++) {
      http.get("/api/items?pageSize=5000", key);
    }
    assertTrue(
        registry
                .get("tollgate.requests")
                .tag("rule", "default")
                .tag("outcome", "rate_limited")
                .counter()
                .count()
            >= 1);
    assertTrue(
        registry
                .get("tollgate.requests")
                .tag("rule", "default")
                .tag("outcome", "admitted")
                .counter()
                .count()
            >= 5);
    assertTrue(registry.get("tollgate.page.size").tag("status", "clamped").counter().count() >= 5);
    assertNotNull(registry.find("tollgate.store.latency").timer());

    // The same meters through Actuator's metrics endpoint, as an operator sees them.
    HttpResponse<String> metrics =
        http.send(actuator("/actuator/metrics/tollgate.requests?tag=outcome:rate_limited", "ops"));
    assertEquals(200, metrics.statusCode(), metrics.body());
    assertTrue(metrics.body().contains("\"name\":\"tollgate.requests\""), metrics.body());
  }

  @Test
  void actuatorEndpointShowsStateAndSuspendsAndLiftsAClient() throws Exception {
    String apiKey = fresh();
    String client = "key:" + Hashing.digest(apiKey);
    for (int i = 0; i < 4; i++) {
      http.get("/api/items", apiKey);
    }

    HttpResponse<String> anonymous =
        http.send(http.request("/actuator/tollgate").header("X-Api-Key", fresh()));
    assertEquals(
        401, anonymous.statusCode(), "secured as every Actuator endpoint of this application");
    HttpResponse<String> read = http.send(actuator("/actuator/tollgate?top=1000", "ops"));
    assertEquals(200, read.statusCode(), read.body());
    assertTrue(
        read.body()
            .contains(
                "\"configuration\":\"Tollgate: clients by [header:X-Api-Key, ip]; default: limits [5/1m as minute,"),
        read.body());
    assertTrue(read.body().contains("\"store\":\"memory\""), read.body());
    assertTrue(
        read.body()
            .contains(
                "{\"rule\":\"default\",\"client\":\""
                    + client
                    + "\",\"limit\":\"5/1m as minute\",\"used\":4,\"usedShare\":0.8}"),
        read.body());
    assertTrue(read.body().contains("\"suspended\":[]"), read.body());

    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.ofString("{\"client\":\"" + client + "\"}");
    HttpResponse<String> notAllowed =
        http.send(
            actuator("/actuator/tollgate", "alice")
                .header("Content-Type", "application/json")
                .POST(body));
    assertEquals(403, notAllowed.statusCode(), "a user without the operators' role cannot suspend");
    HttpResponse<String> suspend =
        http.send(
            actuator("/actuator/tollgate", "ops")
                .header("Content-Type", "application/json")
                .POST(body));
    assertEquals(200, suspend.statusCode(), suspend.body());
    assertTrue(suspend.body().contains("\"suspended\":[\"" + client + "\"]"), suspend.body());

    HttpResponse<String> refused = http.get("/api/items", apiKey);
    assertEquals(403, refused.statusCode());
    assertTrue(refused.body().contains("suspended"), refused.body());
    assertEquals(200, http.get("/api/items", fresh()).statusCode(), "others are served");

    HttpResponse<String> lift =
        http.send(
            actuator(
                    "/actuator/tollgate?client="
                        + URLEncoder.encode(client, StandardCharsets.UTF_8),
                    "ops")
                .DELETE());
    assertEquals(200, lift.statusCode(), lift.body());
    assertTrue(lift.body().contains("\"suspended\":[]"), lift.body());
    assertEquals(
        200, http.get("/api/items", apiKey).statusCode(), "lifted: served again, its 5th call");

    HttpResponse<String> invalid =
        http.send(
            actuator("/actuator/tollgate", "ops")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"two words\"}")));
    assertEquals(400, invalid.statusCode(), invalid.body());
    assertFalse(tollgate.suspensions().entries().contains("two words"));
  }

  @Test
  void theApplicationsClockBeanIsTheEnginesClock() throws Exception {
    String key = fresh();
    for (int i = 0; i < 5; i++) {
      http.get("/api/items", key);
    }
    assertEquals(429, http.get("/api/items", key).statusCode());
    clock.advanceSeconds(60);
    try {
      assertEquals(200, http.get("/api/items", key).statusCode(), "the next minute");
    } finally {
      clock.advanceSeconds(-60);
    }
  }
}
