package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link TollgateFeature} does on every Jakarta REST runtime, over real HTTP: one subclass per
 * runtime deploys the same {@link Application} in its own server. Everything here uses the Jakarta
 * REST API alone, so a runtime that fails a check here breaks the contract, not a Jersey habit.
 *
 * <p>Shared with the runtime modules ({@code jaxrs-tests-resteasy}, {@code jaxrs-tests-cxf})
 * through this module's test jar.
 */
public abstract class JaxRsContract {

  /** The configuration every check starts from; checks add keys. */
  private static final Map<String, String> BASE =
      Map.of(
          "limits", "5/1m",
          "client.key", "header:X-Api-Key, ip",
          "client.trusted-proxies", "127.0.0.1, ::1",
          "page-size.default", "20",
          "page-size.max", "50",
          "headers.dialects", "ietf, teos",
          "status.path", "/rate_limit");

  // HTTP/1.1: the client's default HTTP/2 upgrade request is not what these checks are about.
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final FakeClock clock = new FakeClock(Instant.parse("2023-11-14T22:14:15Z"));
  private Tollgate tollgate;
  private URI base;

  /** The resource that holds requests in flight, one instance per deployment. */
  protected Held held;

  /**
   * Starts {@code app} on the runtime under test in its own server, with async requests enabled.
   *
   * @return the application's base URI, ending with {@code /}
   */
  protected abstract URI deploy(Application app) throws Exception;

  /** Stops what {@link #deploy} started. */
  protected abstract void undeploy() throws Exception;

  /** The application every runtime deploys: the test resources, plus the feature as a singleton. */
  public static final class ContractApp extends Application {
    private final Set<Object> singletons;

    ContractApp(Object... singletons) {
      this.singletons = Set.of(singletons);
    }

    @Override
    public Set<Class<?>> getClasses() {
      return Set.of(
          TestResources.Items.class,
          TestResources.Reports.class,
          TestResources.Failing.class,
          TestResources.TeapotMapper.class);
    }

    /**
     * Deprecated in 3.1 for CDI, but the one portable way to hand a runtime the feature instance.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Set<Object> getSingletons() {
      return singletons;
    }
  }

  /** Holds requests in flight until the test lets them go: a blocking method and an async one. */
  @Path("held")
  @Produces(MediaType.TEXT_PLAIN)
  public static final class Held {
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch release = new CountDownLatch(1);
    final BlockingQueue<AsyncResponse> pending = new LinkedBlockingQueue<>();

    @GET
    public String blocking() throws InterruptedException {
      entered.release();
      if (!release.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the request");
      }
      return "held";
    }

    @GET
    @Path("async")
    public void async(@Suspended AsyncResponse response) {
      response.setTimeout(30, TimeUnit.SECONDS);
      pending.add(response);
    }
  }

  private void start(String... keysAndValues) throws Exception {
    Map<String, String> p = new HashMap<>(BASE);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    tollgate = Tollgate.builder(TollgateConfig.parse(p)).clock(clock).build();
    held = new Held();
    base = deploy(new ContractApp(new TollgateFeature(tollgate), held));
  }

  @AfterEach
  void stop() throws Exception {
    if (held != null) {
      held.release.countDown();
      held.pending.forEach(r -> r.resume("released"));
    }
    try {
      undeploy();
    } finally {
      if (tollgate != null) {
        tollgate.close();
      }
    }
  }

  private HttpRequest request(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (key != null) {
      b.header("X-Api-Key", key);
    }
    return b.build();
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(request(path, key), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path, String key) {
    return http.sendAsync(request(path, key), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  // ---- limits, headers, problem bodies ----------------------------------------------------------

  @Test
  void answers429ExactlyAfterTheQuotaWithAProblemBodyAndRetryAfter() throws Exception {
    start();
    for (int i = 1; i <= 5; i++) {
      assertEquals(200, get("items", "k1").statusCode(), "request " + i);
    }
    HttpResponse<String> limited = get("items", "k1");
    assertEquals(429, limited.statusCode());
    assertEquals("45", header(limited, "Retry-After"));
    assertEquals("application/problem+json", header(limited, "Content-Type"));
    assertTrue(limited.body().contains("\"status\":429"), limited.body());
    assertTrue(limited.body().contains("quota-exceeded"), limited.body());
    assertEquals(200, get("items", "k2").statusCode(), "another client keeps its own quota");

    clock.advanceSeconds(45);
    assertEquals(200, get("items", "k1").statusCode(), "a new window admits again");
  }

  @Test
  void writesTheHeadersOfBothDialectsOnceOn200And429() throws Exception {
    start();
    HttpResponse<String> ok = get("items", "k1");
    assertEquals("\"minute\";q=5;w=60", header(ok, "RateLimit-Policy"));
    assertEquals("\"minute\";r=4;t=45", header(ok, "RateLimit"));
    assertEquals("1m", header(ok, "X-Rate-Limit-Limit"));
    assertEquals("4", header(ok, "X-Rate-Limit-Remaining"));
    assertNull(header(ok, "Retry-After"));
    for (int i = 0; i < 4; i++) {
      get("items", "k1");
    }
    HttpResponse<String> limited = get("items", "k1");
    assertEquals(429, limited.statusCode());
    assertEquals("\"minute\";r=0;t=45", header(limited, "RateLimit"));
    assertEquals(1, limited.headers().allValues("RateLimit").size(), "headers are written once");
  }

  @Test
  void writesHeadersOnResponsesOfAnExceptionMapperAndAWebApplicationException() throws Exception {
    start();
    HttpResponse<String> mapped = get("fail/mapped", "k1");
    assertEquals(418, mapped.statusCode());
    assertEquals("\"minute\";r=4;t=45", header(mapped, "RateLimit"));
    HttpResponse<String> wae = get("fail/wae", "k1");
    assertEquals(409, wae.statusCode());
    assertEquals("\"minute\";r=3;t=45", header(wae, "RateLimit"));
  }

  @Test
  void countsRequestsThatMatchNoResourceAndAnswers429ForThem() throws Exception {
    start();
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> r = get("nowhere", "k1");
      assertEquals(404, r.statusCode());
      assertEquals(String.valueOf(5 - i), header(r, "X-Rate-Limit-Remaining"));
    }
    HttpResponse<String> limited = get("nowhere", "k1");
    assertEquals(429, limited.statusCode());
    assertEquals("45", header(limited, "Retry-After"));
    assertTrue(limited.body().contains("\"status\":429"), limited.body());
  }

  // ---- page sizes: rewritten before matching ----------------------------------------------------

  @Test
  void injectsTheClampedPageSizeThroughQueryParamBeanParamAndUriInfo() throws Exception {
    start();
    assertEquals(
        "param=50 bean=50 uriInfo=[50] other=a b",
        get("items?pageSize=5000&other=a%20b", "k1").body());
    assertEquals(
        "param=20 bean=20 uriInfo=[20] other=null", get("items", "k1").body(), "the default");
    assertEquals(
        "param=7 bean=7 uriInfo=[7] other=null",
        get("items?pageSize=7&pageSize=9000", "k1").body(),
        "repeated values collapse to one");
  }

  @Test
  void answers400ProblemForAnInvalidPageSizeAfterCountingIt() throws Exception {
    start();
    HttpResponse<String> bad = get("items?pageSize=abc", "k1");
    assertEquals(400, bad.statusCode());
    assertEquals("application/problem+json", header(bad, "Content-Type"));
    assertTrue(bad.body().contains("\"invalid-params\":[{\"name\":\"pageSize\""), bad.body());
    assertEquals("4", header(bad, "X-Rate-Limit-Remaining"), "the invalid request was counted");
  }

  // ---- @RateLimit through DynamicFeature --------------------------------------------------------

  @Test
  void annotationLimitsOneMethodAndLeavesItsSiblingAlone() throws Exception {
    start();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = get("reports", "k1");
      assertEquals(200, r.statusCode(), "report " + i);
      assertTrue(
          header(r, "RateLimit-Policy").contains("\"reports.minute\";q=3;w=60"),
          header(r, "RateLimit-Policy"));
    }
    HttpResponse<String> limited = get("reports", "k1");
    assertEquals(429, limited.statusCode());
    assertTrue(
        limited.body().contains("\"violated-policies\":[\"reports.minute\"]"), limited.body());
    assertEquals(
        200,
        get("reports/summary", "k1").statusCode(),
        "the sibling method is not limited by the annotation");
  }

  @Test
  void annotationPageSizeMaximumAppliesBeforeMatchingToItsMethodOnly() throws Exception {
    start();
    assertEquals("reports pageSize=5", get("reports?pageSize=80", "k1").body());
    assertEquals(
        "reports pageSize=5", get("reports/?pageSize=6", "k1").body(), "with a trailing slash");
    assertEquals("summary pageSize=50", get("reports/summary?pageSize=80", "k2").body());
    assertEquals(
        "reports pageSize=5", get("reports", "k3").body(), "the default is lowered to the maximum");
  }

  // ---- the peer address -------------------------------------------------------------------------

  @Test
  void readsThePeerAddressSoForwardedClientsOfATrustedProxyAreKeptApart() throws Exception {
    start();
    HttpRequest.Builder forwarded =
        HttpRequest.newBuilder(base.resolve("items")).header("X-Forwarded-For", "203.0.113.7");
    for (int i = 0; i < 5; i++) {
      http.send(forwarded.build(), HttpResponse.BodyHandlers.discarding());
    }
    assertEquals(
        429, http.send(forwarded.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    HttpRequest other =
        HttpRequest.newBuilder(base.resolve("items"))
            .header("X-Forwarded-For", "203.0.113.8")
            .build();
    assertEquals(
        200,
        http.send(other, HttpResponse.BodyHandlers.discarding()).statusCode(),
        "another forwarded address is another client, which needs the peer address to be known as trusted");
  }

  // ---- the status document ----------------------------------------------------------------------

  @Test
  void answersTheStatusDocumentWithoutCountingAndListsAnnotationRules() throws Exception {
    start();
    get("items", "k1");
    HttpResponse<String> status = get("rate_limit", "k1");
    assertEquals(200, status.statusCode());
    assertTrue(
        header(status, "Content-Type").startsWith("application/json"),
        header(status, "Content-Type"));
    assertTrue(
        status.body().startsWith("{\"limits\":[{\"rule\":\"default\",\"policy\":\"minute\""),
        status.body());
    assertTrue(status.body().contains("\"remaining\":4"), status.body());
    assertTrue(
        status.body().contains("\"policy\":\"reports.minute\""),
        "the annotation's rule: " + status.body());
    assertEquals(
        status.body(), get("rate_limit", "k1").body(), "reading the status consumes nothing");
    assertEquals("3", header(get("items", "k1"), "X-Rate-Limit-Remaining"));
  }

  // ---- concurrency slots ------------------------------------------------------------------------

  @Test
  void aRequestHoldsItsConcurrencySlotUntilItIsAnsweredAndThenFreesIt() throws Exception {
    start("concurrency.max-per-client", "1");
    CompletableFuture<HttpResponse<String>> first = getAsync("held", "k1");
    assertTrue(
        held.entered.tryAcquire(10, TimeUnit.SECONDS), "the first request reached the resource");
    HttpResponse<String> second = get("items", "k1");
    assertEquals(429, second.statusCode());
    assertTrue(second.body().contains("\"violated-policies\":[\"concurrency\"]"), second.body());
    assertEquals(200, get("items", "k2").statusCode(), "other clients are not affected");
    held.release.countDown();
    assertEquals("held", first.get(10, TimeUnit.SECONDS).body());
    assertEquals(
        200, onceTheSlotIsFree("items", "k1").statusCode(), "the answered request freed its slot");
  }

  @Test
  void anAsyncRequestHoldsItsSlotUntilResumed() throws Exception {
    start("concurrency.max-per-client", "1");
    CompletableFuture<HttpResponse<String>> first = getAsync("held/async", "k1");
    AsyncResponse pending = held.pending.poll(10, TimeUnit.SECONDS);
    assertNotNull(pending, "the async request reached the resource");
    assertEquals(
        429, get("items", "k1").statusCode(), "the method returned, but the request is in flight");
    pending.resume("done");
    assertEquals("done", first.get(10, TimeUnit.SECONDS).body());
    assertEquals(200, onceTheSlotIsFree("items", "k1").statusCode(), "resuming freed the slot");
  }

  /**
   * The first answer that is not the concurrency 429 (within 10 s). The runtime frees a request's
   * slot when it completes the request, after the response is handed to the container: on a loaded
   * machine the client can read the response and send its next request a moment before that. A
   * concurrency 429 is not counted, so waiting changes no quota; a slot never freed still fails.
   */
  private HttpResponse<String> onceTheSlotIsFree(String path, String key) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = get(path, key);
      if (r.statusCode() != 429 || System.nanoTime() > deadline) {
        return r;
      }
      Thread.sleep(20);
    }
  }
}
