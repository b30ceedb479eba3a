package dev.tollgate.example.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.WallClockWindows;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example WAR, unchanged, deployed into WildFly (a full Jakarta EE 10 server, which brings
 * RESTEasy) from Maven Central: the build unpacks the server into target/, the test starts it on
 * free ports, drops the WAR into its deployment scanner's folder and talks to it over HTTP.
 */
class WildFlyIT {

  /** Ports of standalone.xml's socket bindings that the server opens; all move by the offset. */
  private static final int[] BASE_PORTS = {8080, 8443, 9990, 9993, 4712, 4713};

  private static Process server;
  private static URI base;
  private static Path log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void deploy() throws Exception {
    Path home = Path.of(System.getProperty("wildfly.home"));
    Path war = Path.of(System.getProperty("example.war"));
    Path deployments = home.resolve("standalone/deployments");
    for (String marker :
        List.of("", ".deployed", ".failed", ".isdeploying", ".pending", ".undeployed")) {
      Files.deleteIfExists(deployments.resolve("ee-example.war" + marker));
    }
    Files.copy(war, deployments.resolve("ee-example.war"), StandardCopyOption.REPLACE_EXISTING);

    int offset = freeOffset();
    log = home.resolve("test-server.log");
    ProcessBuilder b =
        new ProcessBuilder(
                home.resolve("bin/standalone.sh").toString(),
                "-b",
                "127.0.0.1",
                "-bmanagement",
                "127.0.0.1",
                "-Djboss.socket.binding.port-offset=" + offset)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    b.environment().put("JAVA_HOME", System.getProperty("java.home"));
    b.environment().put("JBOSS_HOME", home.toString());
    home.resolve("bin/standalone.sh").toFile().setExecutable(true);
    server = b.start();
    base = URI.create("http://127.0.0.1:" + (8080 + offset) + "/ee-example/api/");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!Files.exists(deployments.resolve("ee-example.war.deployed"))) {
      if (Files.exists(deployments.resolve("ee-example.war.failed"))
          || !server.isAlive()
          || System.nanoTime() > deadline) {
        throw new AssertionError("the WAR did not deploy in WildFly:\n" + tail());
      }
      Thread.sleep(250);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.descendants().forEach(ProcessHandle::destroy);
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
      }
    }
  }

  /** An offset that moves every port the server opens to a free one. */
  private static int freeOffset() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int offset = ThreadLocalRandom.current().nextInt(10_000, 40_000);
      boolean free = true;
      for (int port : BASE_PORTS) {
        try (ServerSocket s =
            new ServerSocket(port + offset, 1, InetAddress.getLoopbackAddress())) {
          // free
        } catch (IOException e) {
          free = false;
          break;
        }
      }
      if (free) {
        return offset;
      }
    }
    throw new IllegalStateException("no free port offset for WildFly");
  }

  private static String tail() throws IOException {
    if (!Files.exists(log)) {
      return "(no server log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private HttpResponse<String> get(String path, String header, String value) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (header != null) {
      r.header(header, value);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theWarBundlesTollgateAndNoJaxRsImplementation() throws Exception {
    try (ZipFile war = new ZipFile(System.getProperty("example.war"))) {
      List<String> libs =
          war.stream().map(e -> e.getName()).filter(n -> n.startsWith("WEB-INF/lib/")).toList();
      assertTrue(libs.stream().anyMatch(n -> n.contains("jaxrs-provider")), libs.toString());
      assertFalse(
          libs.stream().anyMatch(n -> n.matches(".*(jersey|resteasy|cxf|ws\\.rs|servlet-api).*")),
          libs.toString());
    }
  }

  @Test
  void clampsThePageSizeAndWritesTheHeaders() throws Exception {
    HttpResponse<String> r = get("items?pageSize=999", "X-Api-Key", "items");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("items pageSize=50", r.body());
    assertEquals("\"minute\";q=5;w=60", r.headers().firstValue("RateLimit-Policy").orElse(null));
  }

  @Test
  void appliesTheAnnotationsLimitAndPageSizeOnRestEasy() throws Exception {
    // The deployed WAR counts on the system clock: the 3-per-minute quota must not straddle a
    // minute boundary between the first call and the 429.
    WallClockWindows.awaitFreshMinute();
    assertEquals("reports pageSize=10", get("reports?pageSize=80", "X-Api-Key", "reports").body());
    assertEquals(200, get("reports", "X-Api-Key", "reports").statusCode());
    assertEquals(200, get("reports", "X-Api-Key", "reports").statusCode());
    HttpResponse<String> limited = get("reports", "X-Api-Key", "reports");
    assertEquals(429, limited.statusCode());
    assertEquals(
        "application/problem+json", limited.headers().firstValue("Content-Type").orElse(null));
    assertTrue(
        limited.body().contains("\"violated-policies\":[\"reports.minute\"]"), limited.body());
  }

  @Test
  void readsThePeerAddressSoForwardedClientsOfTheTrustedProxyAreKeptApart() throws Exception {
    WallClockWindows.awaitFreshMinute();
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get("items", "X-Forwarded-For", "203.0.113.7").statusCode());
    }
    assertEquals(429, get("items", "X-Forwarded-For", "203.0.113.7").statusCode());
    assertEquals(200, get("items", "X-Forwarded-For", "203.0.113.8").statusCode());
  }

  @Test
  void answersTheStatusDocument() throws Exception {
    HttpResponse<String> status = get("rate_limit", "X-Api-Key", "status");
    assertEquals(200, status.statusCode());
    assertTrue(status.body().contains("\"policy\":\"reports.minute\""), status.body());
  }
}
