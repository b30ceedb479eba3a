package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.CostClock;
import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.testing.RunningContainer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits on what requests cost, over real HTTP in a servlet container: a slow endpoint exhausts a
 * time budget (sync and async), a large response a bytes budget, and a rule that counts only
 * failures counts only 4xx and 5xx. The request's time passes on an injected cost clock that the
 * servlets move, so nothing sleeps.
 */
abstract class CostLimitsContract {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final FakeClock clock = new FakeClock(); // 10 s into a minute
  private final ManualCostClock cost = new ManualCostClock();
  private final List<RunningContainer> started = new ArrayList<>();
  private RunningContainer running;

  abstract RunningContainer start(App app) throws Exception;

  @AfterEach
  void stop() throws Exception {
    for (RunningContainer r : started) {
      r.close();
    }
  }

  /** A cost clock the servlets move: wall and CPU time pass together. */
  static final class ManualCostClock implements CostClock {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    void pass(Duration d) {
      nanos.addAndGet(d.toNanos());
    }

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public long currentThreadCpuNanos() {
      return nanos.get();
    }
  }

  /** Takes {@code took} of (fake) time, then answers. */
  final class SlowServlet extends HttpServlet {
    private final Duration took;

    SlowServlet(Duration took) {
      this.took = took;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      cost.pass(took);
      resp.setContentType("text/plain");
      resp.getWriter().print("done");
    }
  }

  /** Goes async; another thread takes {@code took} and completes the response. */
  final class AsyncSlowServlet extends HttpServlet {
    private final Duration took;

    AsyncSlowServlet(Duration took) {
      this.took = took;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext async = req.startAsync();
      async.start(
          () -> {
            try {
              Thread.sleep(300); // well after the request thread has left the filter
              cost.pass(took);
              resp.setContentType("text/plain");
              resp.getWriter().print("done later");
            } catch (IOException | InterruptedException e) {
              throw new IllegalStateException(e);
            } finally {
              async.complete();
            }
          });
    }
  }

  /**
   * Writes {@code ?kb=} kilobytes through the writer, or with {@code ?stream} through the output
   * stream.
   */
  static final class LargeServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      int kb = Integer.parseInt(req.getParameter("kb"));
      resp.setContentType("text/plain;charset=UTF-8");
      byte[] block = new byte[1024];
      java.util.Arrays.fill(block, (byte) 'x');
      if (req.getParameter("stream") != null) {
        OutputStream out = resp.getOutputStream();
        for (int i = 0; i < kb; i++) {
          out.write(block);
        }
      } else {
        PrintWriter w = resp.getWriter();
        String s = new String(block, java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < kb; i++) {
          w.print(s);
        }
      }
    }
  }

  /** Answers the status in {@code ?status=}. */
  static final class StatusServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(Integer.parseInt(req.getParameter("status")));
      resp.setContentType("text/plain");
      resp.getWriter().print("status " + req.getParameter("status"));
    }
  }

  private Tollgate runWithEngine(App app, String... keysAndValues) throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    Tollgate engine =
        Tollgate.builder(TollgateConfig.parse(p)).clock(clock).costClock(cost).build();
    RunningContainer r = start(app.filter(new TollgateFilter(engine)));
    started.add(r);
    running = r;
    assertNull(r.startupFailure());
    return engine;
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The next request's response once the previous one's charge has landed: an async request is
   * charged when its listener runs, which may be just after the client has the response.
   */
  private HttpResponse<String> getOnceCharged(String pathAndQuery, int expectedStatus)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    HttpResponse<String> r = get(pathAndQuery);
    while (r.statusCode() != expectedStatus && System.nanoTime() < deadline) {
      Thread.sleep(20);
      r = get(pathAndQuery);
    }
    return r;
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void aSlowEndpointExhaustsATimeBudgetAndTheNextRequestWaitsForTheWindow() throws Exception {
    runWithEngine(
        new App().servlet("/search", new SlowServlet(Duration.ofSeconds(40))),
        "limits",
        "1000/1m",
        "rules.search.path",
        "/search",
        "rules.search.limits",
        "30s/1m time");
    HttpResponse<String> first = get("/search");
    assertEquals(200, first.statusCode(), first.body());
    HttpResponse<String> second = get("/search");
    assertEquals(429, second.statusCode(), second.body());
    // 40 s charged to a 30 s budget at 10 s into the minute: refilled when the minute ends, in 50
    // s.
    assertEquals("50", header(second, "Retry-After"));
    assertTrue(second.body().contains("search.time-minute"), second.body());
    assertTrue(
        header(second, "RateLimit-Policy")
            .contains("\"search.time-minute\";q=30000;qu=\"server-time-ms\";w=60"),
        header(second, "RateLimit-Policy"));
    clock.advance(Duration.ofSeconds(50));
    assertEquals(200, get("/search").statusCode());
  }

  @Test
  void anAsyncRequestIsChargedWhenItCompletes() throws Exception {
    runWithEngine(
        new App().servlet("/report", new AsyncSlowServlet(Duration.ofSeconds(31))),
        "limits",
        "30s/1m time");
    HttpResponse<String> first = get("/report");
    assertEquals(200, first.statusCode());
    assertEquals("done later", first.body());
    HttpResponse<String> second = getOnceCharged("/report", 429);
    assertEquals(429, second.statusCode());
    assertEquals("50", header(second, "Retry-After"));
  }

  @Test
  void aLargeResponseExhaustsABytesBudget() throws Exception {
    runWithEngine(new App().servlet("/export", new LargeServlet()), "limits", "1MB/1m bytes");
    HttpResponse<String> first = get("/export?kb=600");
    assertEquals(200, first.statusCode());
    assertEquals(600 * 1024, first.body().length());
    HttpResponse<String> second = get("/export?kb=600&stream");
    assertEquals(200, second.statusCode(), "424 KB were left");
    assertEquals(600 * 1024, second.body().length());
    HttpResponse<String> third = get("/export?kb=1");
    assertEquals(429, third.statusCode());
    assertEquals("50", header(third, "Retry-After"));
  }

  @Test
  void theBytesOfAResponseAreCountedExactly() throws Exception {
    // Tomcat runs filters only for mapped paths: a servlet on the status path (never reached).
    runWithEngine(
        new App()
            .servlet("/export", new LargeServlet())
            .servlet("/rate_limit", new StatusServlet()),
        "limits",
        "1MB/1m bytes",
        "status.path",
        "/rate_limit");
    get("/export?kb=3");
    get("/export?kb=2&stream");
    String status = get("/rate_limit").body();
    assertTrue(status.contains("\"used\":" + 5 * 1024 + ","), status);
  }

  @Test
  void countFailedCountsOnlyFourAndFiveHundreds() throws Exception {
    runWithEngine(
        new App().servlet("/try", new StatusServlet()), "limits", "2/1m", "count", "failed");
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get("/try?status=200").statusCode());
    }
    assertEquals(404, get("/try?status=404").statusCode());
    assertEquals(503, get("/try?status=503").statusCode());
    HttpResponse<String> over = get("/try?status=200");
    assertEquals(429, over.statusCode(), "two failures used the quota");
    assertEquals("50", header(over, "Retry-After"));
  }
}
