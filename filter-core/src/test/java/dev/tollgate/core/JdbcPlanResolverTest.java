package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Plans kept in a real database (H2, over its TCP server, so that the database can really become
 * unreachable): the query, the cache in front of it, and an outage.
 */
class JdbcPlanResolverTest {

  private static final String QUERY = "SELECT plan FROM tenants WHERE client_key = ?";

  /**
   * Each test's database by a name of its own: an in-memory database outlives its server in this
   * JVM (DB_CLOSE_DELAY=-1, so that a restarted server finds the data), and a later test given the
   * same free port would find the earlier test's tables.
   */
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final String database = "plans" + DATABASES.incrementAndGet();

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T18:00:05Z"));
  private Server server;
  private int port;
  private JdbcDataSource dataSource;

  @BeforeEach
  void startDatabase() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    startServer();
    dataSource = new JdbcDataSource();
    dataSource.setURL(url());
    dataSource.setUser("sa");
    dataSource.setPassword("");
    sql(
        "CREATE TABLE tenants (client_key VARCHAR(128) PRIMARY KEY, plan VARCHAR(32) NOT NULL)",
        "INSERT INTO tenants VALUES ('" + ClientKeys.hashed("key:", "pro-key") + "', 'pro')",
        "INSERT INTO tenants VALUES ('user:alice', 'pro')");
  }

  private void startServer() throws Exception {
    server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
  }

  private String url() {
    return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + database + ";DB_CLOSE_DELAY=-1";
  }

  private void sql(String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(url(), "sa", "");
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  @AfterEach
  void stopDatabase() {
    server.stop();
  }

  private Tollgate engine(TollgateMetrics metrics, Duration timeout) {
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("free").limits(Limit.parse("100/1m")).build())
            .plan(Plan.builder("pro").limits(Limit.parse("1000/1m")).build())
            .defaultPlan("free")
            .byClients()
            .byResolver(JdbcPlanResolver.of(dataSource, QUERY).queryTimeout(2))
            .cache(
                new Plans.CacheSettings(
                    1000, Duration.ofMinutes(10), Duration.ofMinutes(1), timeout))
            .clock(clock)
            .build();
    TollgateConfig config =
        TollgateConfig.builder()
            .clientKey(ClientKeys.header("X-Api-Key"), ClientKeys.principal())
            .plans(plans)
            .build();
    return Tollgate.builder(config).clock(clock).metrics(metrics).build();
  }

  @Test
  void theQueryGivesEachClientItsPlan() throws Exception {
    JdbcPlanResolver resolver = JdbcPlanResolver.of(dataSource, QUERY);

    assertEquals("pro", resolver.planOf("user:alice"));
    assertEquals("pro", resolver.planOf(ClientKeys.hashed("key:", "pro-key")));
    assertEquals(null, resolver.planOf("user:bob"));
  }

  @Test
  void twoKeysOnTwoPlansThroughTheEngine() {
    Tollgate t = engine(TollgateMetrics.NONE, Duration.ofSeconds(5));

    assertEquals("pro", t.check(TestRequest.get("/x").header("X-Api-Key", "pro-key")).plan());
    assertEquals("free", t.check(TestRequest.get("/x").header("X-Api-Key", "other-key")).plan());
  }

  @Test
  void aPlanChangedInTheDatabaseIsSeenAfterTheRefreshInterval() throws Exception {
    Tollgate t = engine(TollgateMetrics.NONE, Duration.ofSeconds(5));
    TestRequest bob = TestRequest.get("/x").principal("bob");
    assertEquals("free", t.check(bob).plan());

    sql("INSERT INTO tenants VALUES ('user:bob', 'pro')");
    assertEquals("free", t.check(bob).plan(), "cached");
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));

    assertEquals("pro", awaitPlan(t, bob, "pro"));
  }

  @Test
  // Waits on the H2 driver's real connection retries: 4 s alone, 15 s and a spurious failure under
  // PIT on a loaded machine, for every mutant of the decision path it covers. Surefire runs it.
  @Tag("slow")
  void whileTheDatabaseIsUnreachableRequestsGetTheFallbackPlanAndKnownPlansAreKept()
      throws Exception {
    PlansTest.Recorded metrics = new PlansTest.Recorded();
    Tollgate t = engine(metrics, Duration.ofMillis(300));
    TestRequest alice = TestRequest.get("/x").principal("alice");
    TestRequest bob = TestRequest.get("/x").principal("bob");
    assertEquals("pro", t.check(alice).plan());

    server.stop();
    clock.advance(Duration.ofMinutes(2)); // alice's plan is refreshed, and the refresh fails

    long start = System.nanoTime();
    Verdict v = t.check(bob);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertTrue(v.proceed());
    assertEquals("free", v.plan());
    assertTrue(tookMillis < 2_000, "held " + tookMillis + " ms");
    // The H2 driver retries a refused connection for a while: the request gives up at the timeout.
    assertEquals(1, metrics.fallbacks.size(), metrics.fallbacks.toString());
    assertEquals(
        "pro", t.check(alice).plan(), "a plan already known is kept while the database is away");
    assertEquals("pro", t.check(alice).plan());

    startServer(); // the database is back, and bob has upgraded meanwhile
    sql("INSERT INTO tenants VALUES ('user:bob', 'pro')");
    clock.advanceMillis(PlanCache.FAILURE_BACKOFF_MILLIS);

    assertEquals("pro", awaitPlanPastLateLookups(t, bob, "pro"));
  }

  /**
   * As {@link #awaitPlan}, for a lookup begun while the database was away: the H2 driver may still
   * be retrying it when the database comes back (seconds on a loaded machine), and its late answer,
   * a failure remembered for the backoff or "not known" from before the upgrade, is asked again
   * only once the backoff (or the refresh interval) has passed on the cache's clock.
   */
  private String awaitPlanPastLateLookups(Tollgate t, TestRequest r, String expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String plan = t.check(r).plan();
    while (!expected.equals(plan) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      clock.advanceMillis(PlanCache.FAILURE_BACKOFF_MILLIS);
      plan = t.check(r).plan();
    }
    return plan;
  }

  @Test
  void aJndiNameThatIsNotBoundGivesTheFallbackPlanNotAnError() {
    PlansTest.Recorded metrics = new PlansTest.Recorded();
    TollgateConfig config =
        TollgateConfig.parse(
            props(
                "client.key", "principal",
                "plans.free.limits", "100/1m",
                "plans.pro.limits", "1000/1m",
                "plans.default", "free",
                "plans.resolvers", "clients, jdbc",
                "plans.jdbc.datasource", "java:comp/env/jdbc/plans",
                "plans.jdbc.query", QUERY));
    Tollgate t = Tollgate.builder(config).clock(clock).metrics(metrics).build();

    Verdict v = t.check(TestRequest.get("/x").principal("alice"));

    assertTrue(v.proceed());
    assertEquals("free", v.plan());
    assertEquals(List.of("error"), metrics.fallbacks);
    assertEquals(List.of("clients", "jdbc(java:comp/env/jdbc/plans)"), config.plans().sources());
  }

  @Test
  void theQueryMustTakeTheClientKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                TollgateConfig.parse(
                    props(
                        "plans.free.limits",
                        "100/1m",
                        "plans.resolvers",
                        "jdbc",
                        "plans.jdbc.datasource",
                        "java:comp/env/jdbc/plans",
                        "plans.jdbc.query",
                        "SELECT plan FROM tenants")));
    assertEquals("plans.jdbc.query", e.key());
    assertTrue(e.getMessage().contains("exactly one '?'"), e.getMessage());
  }

  /** Asks until the background refresh has landed (it runs on the cache's own threads). */
  private static String awaitPlan(Tollgate t, TestRequest r, String expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String plan;
    do {
      plan = t.check(r).plan();
    } while (!expected.equals(plan) && System.nanoTime() < deadline);
    return plan;
  }
}
