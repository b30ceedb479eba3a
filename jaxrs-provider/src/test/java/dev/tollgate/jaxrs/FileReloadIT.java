package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Tollgate;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A feature made with {@link TollgateFeature#fromFile} and {@code reload.interval} watches its
 * file: a valid change applies without a restart, an invalid one is logged and the old
 * configuration stays. The engine is reachable from resources through the application's
 * configuration.
 */
class FileReloadIT extends GrizzlyJerseyTest {

  // Set in application(), which JerseyTest calls (through configure()) from its constructor.
  private java.nio.file.Path file;
  private SimpleMeterRegistry global;

  private final Logger tollgateLog = Logger.getLogger("dev.tollgate");
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            logged.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @Override
  protected Application application() {
    // metrics=micrometer: the feature's own engine records in Micrometer's global registry.
    global = new SimpleMeterRegistry();
    Metrics.addRegistry(global);
    try {
      file = Files.createTempFile("tollgate", ".properties");
      Files.writeString(
          file, "limits=1000/1m\nreload.interval=1s\nmetrics=micrometer\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ResourceConfig(Engine.class).register(TollgateFeature.fromFile(file));
  }

  @AfterEach
  void cleanUp() throws IOException {
    tollgateLog.removeHandler(capture);
    Metrics.removeRegistry(global);
    Files.deleteIfExists(file);
  }

  /** Reads the engine the feature published. */
  @Path("engine")
  public static class Engine {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String engine(@Context Configuration configuration) {
      Tollgate tollgate = (Tollgate) configuration.getProperty(TollgateFeature.ENGINE_PROPERTY);
      return "quota=" + tollgate.config().defaultRule().limits().get(0).quota();
    }
  }

  private String policy() {
    Response r = target("engine").request().get();
    r.close();
    return r.getHeaderString("RateLimit-Policy");
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  @Test
  void watchedFileChangeAppliesAndAnInvalidOneLeavesTheOldConfigInForce() throws Exception {
    tollgateLog.addHandler(capture);
    assertEquals("\"minute\";q=1000;w=60", policy());
    assertEquals(
        "quota=1000", target("engine").request().get(String.class), "resources reach the engine");

    Files.writeString(
        file, "limits=2000/1m\nreload.interval=1s\nmetrics=micrometer\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertTrue(
        eventually(() -> "\"minute\";q=2000;w=60".equals(policy())),
        "the new limit applies within 10 s");

    Files.writeString(file, "limits=10O/1m\nreload.interval=1s\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    assertTrue(
        eventually(
            () ->
                logged.stream().anyMatch(m -> m.contains("limits: '10O/1m' is not a valid limit"))),
        "the rejected file is logged with key and value: " + logged);
    assertEquals("\"minute\";q=2000;w=60", policy(), "the last valid configuration stays in force");
    assertTrue(
        global.counter("tollgate.requests", "rule", "default", "outcome", "admitted").count() >= 3,
        "metrics=micrometer records in the global registry");
  }
}
