package dev.tollgate.example.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.example.support.ExampleContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example application, started as {@code spring-boot:run} starts it (its own
 * application.properties, embedded Tomcat) on a random port, against the contract every example
 * meets, over HTTP.
 */
class SpringBootExampleTest extends ExampleContract {

  private int port;

  @Override
  protected AutoCloseable startServer() {
    ConfigurableApplicationContext context =
        SpringApplication.run(
            ExampleApplication.class,
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--example.print-usage=false");
    port = context.getEnvironment().getProperty("local.server.port", Integer.class);
    bound(port);
    return context;
  }

  @Override
  protected boolean hasPlans() {
    return false; // plans are shown in the servlet and Jersey examples
  }

  @Override
  protected AutoCloseable deploy(Path war) {
    throw new UnsupportedOperationException("a Spring Boot application, not a WAR");
  }

  @Test
  void actuatorShowsTheConfigurationReadOnly() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI endpoint = URI.create("http://127.0.0.1:" + port + "/actuator/tollgate");
    HttpResponse<String> read =
        http.send(HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, read.statusCode());
    assertTrue(read.body().contains("clients by [header:X-Api-Key, ip]"), read.body());
    assertTrue(
        read.body()
            .contains(
                "reports: paths [/api/reports] limits [10/1m as minute, 30s/1m time as time-minute]"),
        read.body());

    HttpResponse<String> write =
        http.send(
            HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"ip:203.0.113.7\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(
        405, write.statusCode(), "the example exposes the endpoint read-only: " + write.body());
  }
}
