package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Store faults over real HTTP (issue 9): the servlet filter in Jetty with the Redis store, while
 * Redis is made slow ({@code DEBUG SLEEP}), frozen ({@code SIGSTOP}) or loses its scripts ({@code
 * SCRIPT FLUSH}) in the middle of traffic. Every request is answered within the store timeout plus
 * a margin, by each rule's policy (fail-open 200, fail-closed 503), never 500; and a flushed script
 * changes nothing about admission.
 */
class RedisHardeningIT {

  /**
   * Generous for a shared 2-core CI machine; the point is that nothing waits for Redis to come
   * back.
   */
  private static final long MARGIN_MILLIS = 1_500;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private RedisServer redis;
  private RunningContainer server;
  private URI base;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private void start(String limits, String timeout) throws Exception {
    redis = RedisServer.start(List.of("--enable-debug-command", "yes"));
    WebApp app = WebApp.root();
    app.servlet(
            "ok",
            new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                  throws IOException {
                resp.setContentType("text/plain");
                resp.getWriter().write("ok");
              }
            })
        .mapping("/*");
    app.filter("tollgate", TollgateFilter.class)
        .mapping("/*")
        .initParams(
            Map.of(
                "limits", limits,
                "client.key", "header:X-Client, ip",
                "store.type", "redis",
                "store.redis.uri", redis.uri(),
                "store.redis.timeout", timeout,
                "rules.closed.path", "/closed",
                "rules.closed.on-store-failure", "closed"));
    server = EmbeddedContainer.JETTY.start(app);
    base = server.baseUri();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (get("/closed", "warm-up").statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "connected to Redis within 10 s");
      Thread.sleep(20);
    }
  }

  private HttpResponse<String> get(String path, String client)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (client != null) {
      b.header("X-Client", client);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() != 500, "500: " + r.body());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
    return r;
  }

  /** Sends one inline command to Redis on its own connection and returns the first reply line. */
  private String redisCommand(String command) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", redis.port()), 2_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"DEBUG SLEEP", "SIGSTOP"})
  void aSlowOrFrozenRedis_isAnsweredWithinTheTimeoutByEachRulesPolicyAndNever500(String fault)
      throws Exception {
    start("100000/1m", "100ms");
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    AtomicInteger closed503 = new AtomicInteger();
    AtomicInteger open200 = new AtomicInteger();
    AtomicInteger slowest = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      String path = t % 2 == 0 ? "/open" : "/closed";
      String client = "c" + t;
      workers.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  long start = System.nanoTime();
                  int status = get(path, client).statusCode();
                  int millis = (int) ((System.nanoTime() - start) / 1_000_000);
                  slowest.accumulateAndGet(millis, Math::max);
                  if (path.equals("/open") && status == 200) {
                    open200.incrementAndGet();
                  } else if (path.equals("/closed") && status == 503) {
                    closed503.incrementAndGet();
                  } else if (status != 200) {
                    unexpected.add(path + " -> " + status);
                  }
                }
                return null;
              }));
    }
    Thread.sleep(200);
    slowest.set(0);
    for (int round = 0; round < 2; round++) {
      if (fault.equals("SIGSTOP")) {
        redis.pause();
        Thread.sleep(600);
        redis.resume();
      } else {
        assertEquals("+OK", redisCommand("DEBUG SLEEP 0.6"));
      }
      Thread.sleep(200);
    }
    running.set(false);
    for (Future<?> f : workers) {
      f.get();
    }
    pool.shutdown();
    assertTrue(unexpected.isEmpty(), unexpected.toString());
    assertTrue(closed503.get() > 0, "the fail-closed rule answered 503 while Redis was stuck");
    assertTrue(open200.get() > 0, "the fail-open rule kept admitting");
    assertTrue(
        slowest.get() < 100 + MARGIN_MILLIS,
        "slowest answer " + slowest.get() + " ms with a 100 ms timeout");
    // The store finds Redis back at its next probe (every half second while it counts Redis as
    // down).
    long deadline = System.nanoTime() + 3_000_000_000L;
    int after = get("/closed", "after").statusCode();
    while (after == 503 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      after = get("/closed", "after").statusCode();
    }
    assertEquals(200, after, "limiting resumes once Redis answers again");
  }

  @Test
  void scriptFlushedMidTraffic_limitingContinuesExactly() throws Exception {
    // Rolling, so that no minute boundary inside the test grants a second quota.
    start("100/1m rolling", "1s");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger flushes = new AtomicInteger();
    Thread flusher =
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  if ("+OK".equals(redisCommand("SCRIPT FLUSH"))) {
                    flushes.incrementAndGet();
                  }
                  Thread.sleep(3);
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            });
    flusher.start();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    ConcurrentLinkedQueue<Integer> other = new ConcurrentLinkedQueue<>();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < 20; i++) {
                  int s = get("/items", "flushed").statusCode();
                  if (s == 200) {
                    ok.incrementAndGet();
                  } else if (s == 429) {
                    limited.incrementAndGet();
                  } else {
                    other.add(s);
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    running.set(false);
    flusher.join();
    pool.shutdown();
    assertTrue(
        flushes.get() >= 3, "scripts flushed " + flushes.get() + " times during the traffic");
    assertTrue(other.isEmpty(), "statuses other than 200/429: " + other);
    assertEquals(
        100,
        ok.get(),
        "admitted exactly the quota although the script was flushed " + flushes.get() + " times");
    assertEquals(60, limited.get());
  }
}
