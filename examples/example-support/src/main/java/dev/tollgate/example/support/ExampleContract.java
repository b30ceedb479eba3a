package dev.tollgate.example.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An example WAR, deployed unchanged in a real container, over HTTP: the examples serve the same
 * API under the same limits, so one contract checks them all. The WAR is named by the system
 * property {@code example.war}. Subclasses deploy it in one container each. The WAR's Tollgate runs
 * on the system clock, so the burst tests detect a minute window turning over mid-burst and repeat
 * with a fresh client key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExampleContract {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ITEM = Pattern.compile("\\{\"id\":\\d+,\"name\":\"[a-z]+ \\d+\"\\}");

  private AutoCloseable server;
  private int port;

  /**
   * Deploys the WAR on 127.0.0.1 and a random port; returns the bound port via {@link #bound(int)}.
   */
  protected abstract AutoCloseable deploy(Path war) throws Exception;

  protected void bound(int port) {
    this.port = port;
  }

  static Path war() {
    Path war = Path.of(System.getProperty("example.war", "target/example.war"));
    assertTrue(
        Files.isRegularFile(war),
        "the WAR is built before the integration tests: " + war.toAbsolutePath());
    return war;
  }

  /**
   * Starts what the tests call, on 127.0.0.1 and a random port reported through {@link
   * #bound(int)}: by default the WAR, deployed by {@link #deploy(Path)}. An application that is not
   * a WAR (the Spring Boot example) starts itself here instead.
   */
  protected AutoCloseable startServer() throws Exception {
    return deploy(war());
  }

  @BeforeAll
  public void start() throws Exception {
    server = startServer();
    assertTrue(port > 0);
  }

  @AfterAll
  public void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String pathAndQuery, String apiKey) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .header("X-Api-Key", apiKey)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String fresh() {
    return UUID.randomUUID().toString();
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private static int count(String body) {
    Matcher m = ITEM.matcher(body);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Seconds until the named policy's window resets, from the IETF {@code RateLimit} header. */
  private static long resetSeconds(HttpResponse<?> r, String policy) {
    String value = header(r, "RateLimit");
    assertNotNull(value, "RateLimit header");
    Matcher m = Pattern.compile("\"" + Pattern.quote(policy) + "\";r=\\d+;t=(\\d+)").matcher(value);
    assertTrue(m.find(), value);
    return Long.parseLong(m.group(1));
  }

  /**
   * Sends {@code n} requests with one fresh key; returns them, or {@code null} if the policy's
   * window turned over during the burst (the reset time went up).
   */
  private List<HttpResponse<String>> burst(String pathAndQuery, int n, String policy)
      throws Exception {
    String key = fresh();
    List<HttpResponse<String>> out = new ArrayList<>();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = get(pathAndQuery, key);
      long t = resetSeconds(r, policy);
      if (t > previous) {
        return null;
      }
      previous = t;
      out.add(r);
    }
    return out;
  }

  private List<HttpResponse<String>> burstInOneWindow(String pathAndQuery, int n, String policy)
      throws Exception {
    for (int attempt = 0; attempt < 3; attempt++) {
      List<HttpResponse<String>> responses = burst(pathAndQuery, n, policy);
      if (responses != null) {
        return responses;
      }
    }
    return fail("the minute window turned over during three bursts in a row");
  }

  @Test
  public void applicationReceivesTheClampedPageSize() throws Exception {
    HttpResponse<String> clamped = get("/api/assets?pageSize=5000&page=2", fresh());
    assertEquals(200, clamped.statusCode());
    assertTrue(
        clamped.body().startsWith("{\"page\":2,\"pageSize\":1000,\"items\":[{\"id\":1001,"),
        clamped.body().substring(0, 80));
    assertEquals(1000, count(clamped.body()));

    HttpResponse<String> missing = get("/api/assets", fresh());
    assertTrue(missing.body().startsWith("{\"page\":1,\"pageSize\":20,"), missing.body());
    assertEquals(20, count(missing.body()));

    HttpResponse<String> kept = get("/api/assets?pageSize=7&page=3", fresh());
    assertTrue(
        kept.body()
            .startsWith("{\"page\":3,\"pageSize\":7,\"items\":[{\"id\":15,\"name\":\"asset 15\"}"),
        kept.body());
    assertEquals(7, count(kept.body()));
  }

  @Test
  public void invalidPageSizeGetsA400Problem() throws Exception {
    HttpResponse<String> r = get("/api/assets?pageSize=ten", fresh());
    assertEquals(400, r.statusCode());
    assertTrue(
        header(r, "Content-Type").startsWith("application/problem+json"),
        header(r, "Content-Type"));
    assertTrue(r.body().contains("\"invalid-params\""), r.body());
  }

  @Test
  public void oneKeyGets429AfterHundredRequestsWhileAnotherKeyIsServed() throws Exception {
    List<HttpResponse<String>> responses =
        burstInOneWindow("/api/assets?pageSize=1", 101, "minute");
    for (int i = 0; i < 100; i++) {
      assertEquals(200, responses.get(i).statusCode(), "request " + (i + 1));
    }
    HttpResponse<String> rejected = responses.get(100);
    assertEquals(429, rejected.statusCode());
    assertTrue(header(rejected, "Content-Type").startsWith("application/problem+json"));
    assertTrue(rejected.body().contains("\"violated-policies\":[\"minute\"]"), rejected.body());
    long retryAfter = Long.parseLong(header(rejected, "Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

    HttpResponse<String> other = get("/api/assets?pageSize=1", fresh());
    assertEquals(200, other.statusCode(), "another client key has its own count");
  }

  @Test
  public void reportsHaveTheirOwnStricterLimitAndPageSize() throws Exception {
    List<HttpResponse<String>> responses =
        burstInOneWindow("/api/reports?pageSize=500", 11, "reports.minute");
    for (int i = 0; i < 10; i++) {
      assertEquals(200, responses.get(i).statusCode(), "report " + (i + 1));
    }
    assertTrue(
        responses.get(0).body().startsWith("{\"page\":1,\"pageSize\":100,"),
        responses.get(0).body().substring(0, 60));
    assertEquals(100, count(responses.get(0).body()));
    HttpResponse<String> rejected = responses.get(10);
    assertEquals(429, rejected.statusCode());
    assertTrue(
        rejected.body().contains("\"violated-policies\":[\"reports.minute\"]"), rejected.body());
  }

  @Test
  public void responsesCarryTheIetfAndTeosHeaders() throws Exception {
    Instant before = Instant.now();
    HttpResponse<String> r = get("/api/assets", fresh());
    assertEquals(200, r.statusCode());

    assertEquals("\"minute\";q=100;w=60, \"day\";q=10000;w=86400", header(r, "RateLimit-Policy"));
    assertTrue(
        header(r, "RateLimit")
            .matches("\"minute\";r=99;t=([1-9]|[1-5][0-9]|60), \"day\";r=9999;t=\\d+"),
        header(r, "RateLimit"));

    assertEquals("1m", header(r, "X-Rate-Limit-Limit"));
    assertEquals("99", header(r, "X-Rate-Limit-Remaining"));
    String reset = header(r, "X-Rate-Limit-Reset");
    assertTrue(reset.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z"), reset);
    Instant resetAt = Instant.parse(reset);
    assertTrue(resetAt.isAfter(before) && !resetAt.isAfter(before.plusSeconds(61)), reset);

    HttpResponse<String> report = get("/api/reports", fresh());
    assertEquals(
        "\"minute\";q=100;w=60, \"day\";q=10000;w=86400, \"reports.minute\";q=10;w=60,"
            + " \"reports.time-minute\";q=30000;qu=\"server-time-ms\";w=60",
        header(report, "RateLimit-Policy"));
    assertTrue(
        header(report, "RateLimit").contains(", \"reports.time-minute\";r=30000;t="),
        "a time budget is charged after the response, so nothing is used yet: "
            + header(report, "RateLimit"));
    assertEquals(
        "9",
        header(report, "X-Rate-Limit-Remaining"),
        "TEOS reports the request limit nearest to exhaustion");
  }

  /** False for an example whose configuration has no plans (the plan tests are then skipped). */
  protected boolean hasPlans() {
    return true;
  }

  private HttpResponse<String> post(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Asks with {@code apiKey} until the policies start with {@code expected} (a plan change lands in
   * the background).
   */
  private HttpResponse<String> awaitPolicy(String apiKey, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> r;
    do {
      r = get("/api/assets?pageSize=1", apiKey);
      if (String.valueOf(header(r, "RateLimit-Policy")).startsWith(expected)) {
        return r;
      }
      Thread.sleep(200); // the deployed WAR runs on the system clock: its cache refreshes every 2 s
    } while (System.nanoTime() < deadline);
    return r;
  }

  @Test
  public void twoDemoKeysOnTwoPlansGetTheirOwnLimits() throws Exception {
    assumeTrue(hasPlans());
    HttpResponse<String> starter = get("/api/assets", "demo-starter-key");
    HttpResponse<String> business = get("/api/assets", "demo-business-key");

    assertEquals(
        "\"starter-minute\";q=20;w=60, \"starter-day\";q=2000;w=86400",
        header(starter, "RateLimit-Policy"));
    assertEquals(
        "\"business-minute\";q=1000;w=60, \"business-day\";q=100000;w=86400",
        header(business, "RateLimit-Policy"));
    HttpResponse<String> status = get("/api/rate_limit", "demo-starter-key");
    assertTrue(
        status
            .body()
            .startsWith(
                "{\"plan\":\"starter\",\"limits\":[{\"rule\":\"default\",\"policy\":\"starter-minute\","),
        status.body());
  }

  @Test
  public void theTrialKeysPlanChangesWhileTheExampleRuns() throws Exception {
    assumeTrue(hasPlans());
    HttpResponse<String> before = awaitPolicy("demo-trial-key", "\"starter-minute\";q=20;");
    assertTrue(
        header(before, "RateLimit-Policy").startsWith("\"starter-minute\";q=20;"),
        header(before, "RateLimit-Policy"));

    assertEquals(200, post("/api/billing?key=demo-trial-key&plan=business").statusCode());
    HttpResponse<String> after = awaitPolicy("demo-trial-key", "\"business-minute\";q=1000;");

    assertTrue(
        header(after, "RateLimit-Policy").startsWith("\"business-minute\";q=1000;"),
        header(after, "RateLimit-Policy"));
    assertEquals(200, post("/api/billing?key=demo-trial-key&plan=starter").statusCode());
  }

  @Test
  public void statusPathAnswersJsonWithoutConsumingQuota() throws Exception {
    String key = fresh();
    get("/api/assets", key);
    HttpResponse<String> first = get("/api/rate_limit", key);
    HttpResponse<String> second = get("/api/rate_limit", key);

    assertEquals(200, first.statusCode());
    assertTrue(
        header(first, "Content-Type").startsWith("application/json"),
        header(first, "Content-Type"));
    assertTrue(
        first.body().startsWith("{\"limits\":[{\"rule\":\"default\",\"policy\":\"minute\","),
        first.body());
    assertTrue(
        first.body().contains("\"rule\":\"reports\",\"policy\":\"reports.minute\""),
        "the reports limit is listed too: " + first.body());
    assertTrue(
        second
            .body()
            .contains(
                "\"policy\":\"day\",\"algorithm\":\"rolling\",\"limit\":10000,"
                    + "\"window\":86400,\"remaining\":9999,\"used\":1,"),
        "reading the status consumed nothing: " + second.body());
    assertTrue(
        header(get("/api/assets", key), "RateLimit").contains("\"day\";r=9998;"),
        "only the two normal requests counted");
  }
}
