package dev.tollgate.spring.boot;

import static dev.tollgate.spring.boot.Http.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Tollgate;
import dev.tollgate.spring.boot.testapp.TestApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A configuration refresh the Boot way: the application imports a properties file ({@code
 * spring.config.import}), an operator edits it and calls Spring Cloud's {@code POST
 * /actuator/refresh}; Tollgate is reconfigured and keeps every client's usage, and an invalid value
 * is logged while the running configuration stays.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    args = "--spring.config.import=optional:file:target/refresh-test/tollgate.properties",
    properties = "management.endpoints.web.exposure.include=tollgate,refresh")
@ExtendWith(OutputCaptureExtension.class)
class RefreshTest {

  private static final Path FILE = Path.of("target/refresh-test/tollgate.properties");

  static {
    write("tollgate.limits=4/1m\n");
  }

  private static void write(String content) {
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @LocalServerPort int port;

  @Autowired Tollgate tollgate;

  private HttpResponse<String> refresh(Http http) throws Exception {
    return http.send(
        http.request("/actuator/refresh")
            .header("Authorization", basic("ops", "ops-pw"))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void aRefreshAppliesNewLimitsAndKeepsUsage(CapturedOutput output) throws Exception {
    Http http = new Http(port);
    String key = UUID.randomUUID().toString();
    for (int i = 0; i < 4; i++) {
      assertEquals(200, http.get("/api/items", key).statusCode());
    }
    assertEquals(429, http.get("/api/items", key).statusCode());

    write("tollgate.limits=6/1m\n");
    HttpResponse<String> refreshed = refresh(http);
    assertEquals(200, refreshed.statusCode(), refreshed.body());
    assertTrue(refreshed.body().contains("tollgate.limits"), refreshed.body());

    HttpResponse<String> fifth = http.get("/api/items", key);
    assertEquals(200, fifth.statusCode());
    assertEquals("\"minute\";q=6;w=60", Http.header(fifth, "RateLimit-Policy"));
    assertTrue(
        Http.header(fifth, "RateLimit").startsWith("\"minute\";r=1;"),
        "4 of 6 were used before: " + Http.header(fifth, "RateLimit"));
    assertEquals(200, http.get("/api/items", key).statusCode());
    assertEquals(429, http.get("/api/items", key).statusCode());

    write("tollgate.limits=lots\n");
    assertEquals(200, refresh(http).statusCode());
    assertTrue(
        output
            .getOut()
            .contains(
                "Rejected the new tollgate.* configuration: limits: 'lots' is not a valid limit"),
        output.getOut());
    assertTrue(
        tollgate.config().summary().contains("limits [6/1m as minute]"),
        tollgate.config().summary());
  }
}
