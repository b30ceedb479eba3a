package dev.tollgate.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.spring.boot.minimalapp.MinimalApplication;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/**
 * The starter in an application on Jetty that has none of its optional companions (Actuator,
 * Micrometer, Spring Security, Spring Cloud, Redis): run by its own surefire execution with those
 * jars and Tomcat off the class path.
 */
@SpringBootTest(
    classes = MinimalApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "tollgate.limits=3/1h token-bucket")
class MinimalJettyTest {

  @LocalServerPort int port;

  @Autowired ServletWebServerApplicationContext context;

  @Test
  void limitsAndPageSizesOnJettyWithoutTheOptionalDependencies() throws Exception {
    assertEquals("JettyWebServer", context.getWebServer().getClass().getSimpleName());
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("org.springframework.boot.actuate.endpoint.annotation.Endpoint"));
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("io.micrometer.core.instrument.MeterRegistry"));
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("org.apache.catalina.startup.Tomcat"));
    assertTrue(context.containsBean("tollgate"));
    assertFalse(context.containsBean("tollgateEndpoint"));

    Http http = new Http(port);
    String key = UUID.randomUUID().toString();
    HttpResponse<String> first = http.get("/api/items?pageSize=5000", key);
    assertEquals(200, first.statusCode());
    assertEquals("pageSize=50", first.body());
    assertEquals("\"hour\";q=3;w=3600", Http.header(first, "RateLimit-Policy"));
    http.get("/api/items", key);
    http.get("/api/items", key);
    HttpResponse<String> rejected = http.get("/api/items", key);
    assertEquals(429, rejected.statusCode());
    assertTrue(
        Http.header(rejected, "Content-Type").startsWith("application/problem+json"),
        Http.header(rejected, "Content-Type"));
  }
}
