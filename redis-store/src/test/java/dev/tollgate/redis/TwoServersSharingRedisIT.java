package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.servlet.TollgateFilter;
import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RedisServer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servlet containers (two Jetty servers, each with the Tollgate filter configured only by
 * init-params, as in web.xml) behind an imaginary load balancer share one real Redis: together they
 * admit 100 requests per minute, and after that either one answers 429.
 */
class TwoServersSharingRedisIT {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private RedisServer redis;
  private final List<RunningContainer> servers = new ArrayList<>();
  private final List<URI> bases = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    for (int i = 0; i < 2; i++) {
      startServer(
          Map.of(
              // Rolling, so that no minute boundary can fall inside the test and grant a second
              // 100.
              "limits", "100/1m rolling",
              "store.type", "redis",
              "store.redis.uri", redis.uri(),
              // Latency bounds are RedisStoreFailureTest's business; here a busy build machine must
              // not
              // turn a slow answer into a fail-open admission that would blur the total.
              "store.redis.timeout", "1500ms",
              "client.key", "header:X-Client, ip",
              "rules.orders.path", "/orders",
              "rules.orders.limits", "1000/1m",
              "rules.orders.on-store-failure", "closed"));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (RunningContainer s : servers) {
      s.close();
    }
    redis.close();
  }

  @Test
  void oneHundredPerMinuteInTotalAcrossBothServersThen429FromEither() throws Exception {
    awaitConnected();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      URI base = bases.get(i % 2);
      calls.add(pool.submit(() -> get(base, "/items")));
    }
    int ok = 0;
    int limited = 0;
    for (Future<HttpResponse<String>> f : calls) {
      int status = f.get().statusCode();
      if (status == 200) {
        ok++;
      } else if (status == 429) {
        limited++;
      } else {
        throw new AssertionError("unexpected status " + status + ": " + f.get().body());
      }
    }
    pool.shutdown();
    assertEquals(100, ok, "admitted in total by both servers");
    assertEquals(30, limited);

    for (URI base : bases) {
      HttpResponse<String> r = get(base, "/items");
      assertEquals(429, r.statusCode(), base.toString());
      long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 62, "Retry-After " + retryAfter);
      assertTrue(
          r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    }
  }

  @Test
  void redisStoppedMidwayAppliesThePolicyWithoutErrorsAndLimitingResumesAfterRestart()
      throws Exception {
    awaitConnected();
    for (int i = 0; i < 10; i++) {
      assertEquals(200, get(bases.get(i % 2), "/items").statusCode());
    }
    redis.stop();
    for (URI base : bases) {
      long start = System.nanoTime();
      assertEquals(200, get(base, "/items").statusCode(), "fail-open (the default) admits");
      HttpResponse<String> closed = get(base, "/orders");
      assertEquals(503, closed.statusCode(), "fail-closed rule");
      assertEquals("1", closed.headers().firstValue("Retry-After").orElse(null));
      assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000, "no request hangs");
    }

    redis.restart(); // empty: counts start again
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (URI base : bases) { // each server finds Redis back on its own (its next probe)
      while (get(base, "/orders", "probe").statusCode() == 503) {
        assertTrue(System.nanoTime() < deadline, "limiting resumed within 10 s");
        Thread.sleep(20);
      }
    }
    int ok = 0;
    for (int i = 0; i < 120; i++) {
      if (get(bases.get(i % 2), "/items").statusCode() == 200) {
        ok++;
      }
    }
    assertEquals(100, ok);
  }

  private HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
    return get(base, path, null);
  }

  private HttpResponse<String> get(URI base, String path, String client)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (client != null) {
      b.header("X-Client", client);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Both filters have connected to Redis: the fail-closed rule, called as another client, answers
   * 200 rather than 503.
   */
  private void awaitConnected() throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (URI base : bases) {
      while (get(base, "/orders", "warm-up").statusCode() != 200) {
        assertTrue(System.nanoTime() < deadline, "connected to Redis within 10 s");
        Thread.sleep(20);
      }
    }
  }

  private void startServer(Map<String, String> initParams) throws Exception {
    WebApp app = WebApp.root();
    app.servlet(
            "ok",
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                  throws IOException {
                resp.setContentType("text/plain");
                resp.getWriter().write("ok");
              }
            })
        .mapping("/*");
    app.filter("tollgate", TollgateFilter.class).mapping("/*").initParams(initParams);
    RunningContainer server = EmbeddedContainer.JETTY.start(app);
    servers.add(server);
    bases.add(server.baseUri());
  }
}
