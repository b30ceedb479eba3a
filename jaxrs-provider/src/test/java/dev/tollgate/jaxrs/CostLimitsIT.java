package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.CostClock;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Limits on what requests cost, through the provider on Grizzly over real HTTP: charged once the
 * entity is written, a streamed one included, which is also when the concurrency slot is freed. The
 * requests' time passes on an injected cost clock that the resources move.
 */
class CostLimitsIT extends GrizzlyJerseyTest {

  private static final String KEY = "X-Api-Key";

  private FakeClock clock; // 15 s into a minute
  private ManualCostClock cost;
  private Costly costly;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static final class ManualCostClock implements CostClock {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public long currentThreadCpuNanos() {
      return nanos.get();
    }
  }

  @Override
  protected Application application() {
    clock = new FakeClock(Instant.parse("2023-11-14T22:14:15Z"));
    cost = new ManualCostClock();
    costly = new Costly(cost);
    Tollgate tollgate =
        Tollgate.builder(
                TollgateConfig.parse(
                    Map.of(
                        "limits", "1000/1m",
                        "client.key", "header:X-Api-Key, ip",
                        "concurrency.max-per-client", "1",
                        "rules.search.path", "/costly/slow, /costly/later",
                        "rules.search.limits", "30s/1m time",
                        "rules.export.path", "/costly/large",
                        "rules.export.limits", "1MB/1m bytes",
                        "rules.tries.path", "/costly/status",
                        "rules.tries.limits", "2/1m",
                        "rules.tries.count", "failed")))
            .clock(clock)
            .costClock(cost)
            .build();
    return new ResourceConfig().register(costly).register(new TollgateFeature(tollgate));
  }

  @Path("costly")
  @Produces(MediaType.TEXT_PLAIN)
  public static final class Costly {
    private final ManualCostClock cost;
    final CountDownLatch streaming = new CountDownLatch(1);
    final CountDownLatch finish = new CountDownLatch(1);

    Costly(ManualCostClock cost) {
      this.cost = cost;
    }

    /** Quick to answer, slow to stream: the time passes while the entity is written. */
    @GET
    @Path("slow")
    public StreamingOutput slow(
        @QueryParam("seconds") int seconds, @QueryParam("hold") boolean hold) {
      return out -> {
        out.write("first part ".getBytes());
        out.flush();
        if (hold) {
          streaming.countDown();
          try {
            finish.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        cost.nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        out.write("last part".getBytes());
      };
    }

    /** Suspends; another thread takes {@code seconds} and resumes. */
    @GET
    @Path("later")
    public void later(
        @QueryParam("seconds") int seconds,
        @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
      new Thread(
              () -> {
                cost.nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
                response.resume("resumed");
              })
          .start();
    }

    @GET
    @Path("large")
    public StreamingOutput large(@QueryParam("kb") int kb) {
      return out -> {
        byte[] block = new byte[1024];
        java.util.Arrays.fill(block, (byte) 'x');
        for (int i = 0; i < kb; i++) {
          out.write(block);
        }
      };
    }

    @GET
    @Path("status")
    public Response status(@QueryParam("status") int status) {
      return Response.status(status).entity("status " + status).build();
    }

    @GET
    @Path("empty")
    public Response empty(@QueryParam("status") int status) {
      return Response.status(status).build();
    }
  }

  private Response get(String path, String key) {
    return target(path).request().header(KEY, key).get();
  }

  /**
   * The first answer that is not the concurrency 429 (within 10 s). Every client here has one slot,
   * which the runtime frees when it completes the request, after the response is handed to the
   * container: on a loaded machine the client can read one response and send its next request a
   * moment before that. A concurrency 429 is not counted, so waiting changes no quota; a slot that
   * is never freed still fails the test.
   */
  private Response get(String path, String query, String key) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Response r = getOnce(path, query, key);
      if (r.getStatus() != 429 || System.nanoTime() > deadline) {
        return r;
      }
      r.bufferEntity();
      if (!r.readEntity(String.class).contains("\"violated-policies\":[\"concurrency\"]")) {
        return r;
      }
      r.close();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private Response getOnce(String path, String query, String key) {
    String[] kv = query.split("=");
    return target(path).queryParam(kv[0], kv[1]).request().header(KEY, key).get();
  }

  @Test
  void aSlowlyStreamedEntityExhaustsATimeBudget() {
    Response first = get("costly/slow", "seconds=40", "k1");
    assertEquals(200, first.getStatus());
    assertEquals("first part last part", first.readEntity(String.class));
    Response second = get("costly/slow", "seconds=1", "k1");
    assertEquals(429, second.getStatus(), "charged the 40 s the entity took to stream");
    // 40 s charged to a 30 s budget, 15 s into the minute: refilled when the minute ends, in 45 s.
    assertEquals("45", second.getHeaderString("Retry-After"));
    assertTrue(
        second
            .getHeaderString("RateLimit-Policy")
            .contains("\"search.time-minute\";q=30000;qu=\"server-time-ms\";w=60"),
        second.getHeaderString("RateLimit-Policy"));
    assertEquals(
        200,
        get("costly/slow", "seconds=1", "k2").getStatus(),
        "another client has its own budget");
    clock.advanceSeconds(45);
    assertEquals(200, get("costly/slow", "seconds=1", "k1").getStatus());
  }

  @Test
  void aResumedAsyncResponseIsChargedItsWholeTime() {
    Response first = get("costly/later", "seconds=31", "k5");
    assertEquals(200, first.getStatus());
    assertEquals("resumed", first.readEntity(String.class));
    Response second = get("costly/later", "seconds=1", "k5");
    assertEquals(429, second.getStatus());
    assertEquals("45", second.getHeaderString("Retry-After"));
  }

  @Test
  void aLargeStreamedResponseExhaustsABytesBudget() {
    Response first = get("costly/large", "kb=700", "k1");
    assertEquals(200, first.getStatus());
    assertEquals(700 * 1024, first.readEntity(String.class).length());
    Response second = get("costly/large", "kb=400", "k1");
    assertEquals(200, second.getStatus(), "324 KB were left");
    assertEquals(400 * 1024, second.readEntity(String.class).length());
    Response third = get("costly/large", "kb=1", "k1");
    assertEquals(429, third.getStatus());
    assertEquals("45", third.getHeaderString("Retry-After"));
  }

  @Test
  void countFailedCountsOnlyFourAndFiveHundreds() {
    for (int i = 0; i < 4; i++) {
      Response ok = get("costly/status", "status=200", "k1");
      assertEquals(200, ok.getStatus());
      ok.close();
    }
    assertEquals(404, get("costly/status", "status=404", "k1").getStatus());
    assertEquals(500, get("costly/status", "status=500", "k1").getStatus());
    assertEquals(429, get("costly/status", "status=200", "k1").getStatus());
  }

  @Test
  void theConcurrencySlotIsHeldUntilAStreamedEntityIsWritten() throws Exception {
    HttpRequest held =
        HttpRequest.newBuilder(
                target("costly/slow").queryParam("seconds", 0).queryParam("hold", true).getUri())
            .header(KEY, "k3")
            .timeout(Duration.ofSeconds(20))
            .build();
    CompletableFuture<HttpResponse<String>> streaming =
        http.sendAsync(held, HttpResponse.BodyHandlers.ofString());
    try {
      assertTrue(costly.streaming.await(10, TimeUnit.SECONDS), "the entity is being streamed");
      Response meanwhile = getOnce("costly/status", "status=200", "k3");
      assertEquals(
          429, meanwhile.getStatus(), "the streaming request still holds the client's only slot");
      assertTrue(meanwhile.readEntity(String.class).contains("concurrency"));
    } finally {
      costly.finish.countDown();
    }
    assertEquals("first part last part", streaming.get(10, TimeUnit.SECONDS).body());
    assertEquals(
        200,
        get("costly/status", "status=200", "k3").getStatus(),
        "the slot was freed once written");
  }

  @Test
  void aResponseWithoutEntityFreesItsSlot() {
    for (int i = 0; i < 3; i++) {
      assertEquals(204, get("costly/empty", "status=204", "k4").getStatus());
    }
  }
}
