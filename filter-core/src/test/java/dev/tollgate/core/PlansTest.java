package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.header;
import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plans: configuration, resolution order and trust, limits per plan, plan changes keeping usage.
 */
class PlansTest {

  private static final Instant T0 = Instant.parse("2026-11-22T18:00:05Z");

  private static final String[] TWO_PLANS = {
    "client.key", "principal, ip",
    "plans.free.limits", "5/1m",
    "plans.pro.limits", "20/1m",
    "plans.pro.clients", "user:alice, 198.51.100.0/24",
    "plans.default", "free"
  };

  private static Tollgate engine(FakeClock clock, String... kv) {
    return Tollgate.builder(TollgateConfig.parse(props(kv))).clock(clock).build();
  }

  private static TestRequest user(String name) {
    return TestRequest.get("/x").principal(name);
  }

  private static ConfigException fails(String... kv) {
    return assertThrows(ConfigException.class, () -> TollgateConfig.parse(props(kv)));
  }

  private static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  // ---- configuration
  // ------------------------------------------------------------------------------

  @Test
  void eachPlanHasItsOwnLimitsNamedAfterThePlan() {
    Tollgate t = engine(new FakeClock(T0), TWO_PLANS);

    Verdict alice = t.check(user("alice"));
    Verdict bob = t.check(user("bob"));

    assertEquals("\"pro-minute\";q=20;w=60", header(alice, "RateLimit-Policy"));
    assertEquals("\"free-minute\";q=5;w=60", header(bob, "RateLimit-Policy"));
    assertEquals("pro", alice.plan());
    assertEquals("free", bob.plan());
    assertEquals(19, admitted(t, user("alice"), 30));
    assertEquals(4, admitted(t, user("bob"), 30));
  }

  @Test
  void addressesAndRangesPutClientsOnAPlan() {
    Tollgate t = engine(new FakeClock(T0), TWO_PLANS);

    assertEquals("pro", t.check(TestRequest.get("/x").from("198.51.100.9")).plan());
    assertEquals("free", t.check(TestRequest.get("/x").from("203.0.113.9")).plan());
  }

  @Test
  void withoutADefaultPlanUnplacedClientsHaveTheRulesOwnLimits() {
    Tollgate t =
        engine(
            new FakeClock(T0),
            "client.key",
            "principal",
            "limits",
            "3/1m",
            "status.path",
            "/rate_limit",
            "plans.pro.limits",
            "20/1m",
            "plans.pro.clients",
            "user:alice");

    Verdict bob = t.check(user("bob"));

    assertEquals("\"minute\";q=3;w=60", header(bob, "RateLimit-Policy"));
    assertEquals("none", bob.plan());
    assertEquals("pro", t.check(user("alice")).plan());
    assertTrue(
        t.check(user("bob").path("/rate_limit"))
            .body()
            .startsWith("{\"limits\":[{\"rule\":\"default\",\"policy\":\"minute\""),
        "the status document of a client on no plan is as without plans");
  }

  @Test
  void aPlanCanGiveEndpointRulesTheirOwnLimitsAndLowerThePageSize() {
    Tollgate t =
        engine(
            new FakeClock(T0),
            with(
                TWO_PLANS,
                "rules.reports.path",
                "/reports",
                "rules.reports.limits",
                "2/1m",
                "plans.pro.rules.reports.limits",
                "10/1m",
                "plans.free.page-size.max",
                "50"));

    Verdict alice = t.check(user("alice").path("/reports").query("pageSize=500"));
    Verdict bob = t.check(user("bob").path("/reports").query("pageSize=500"));

    assertEquals(
        "\"pro-minute\";q=20;w=60, \"reports.pro-minute\";q=10;w=60",
        header(alice, "RateLimit-Policy"));
    assertEquals(
        "\"free-minute\";q=5;w=60, \"reports.minute\";q=2;w=60", header(bob, "RateLimit-Policy"));
    assertEquals(Map.of("pageSize", 500), alice.pageSize().values());
    assertEquals(Map.of("pageSize", 50), bob.pageSize().values());
  }

  @Test
  void aPlanCanCapConcurrencyAndSetTheCost() {
    Tollgate t =
        engine(
            new FakeClock(T0),
            with(TWO_PLANS, "plans.free.concurrency.max-per-client", "1", "plans.free.cost", "2"));

    Verdict first = t.check(user("bob"));
    Verdict second = t.check(user("bob"));

    assertTrue(first.proceed());
    assertEquals(3, first.limits().get(0).usage().remaining(), "a free request costs 2 of 5");
    assertEquals(Verdict.Outcome.CONCURRENCY_LIMITED, second.outcome());
    first.release();
    assertTrue(t.check(user("bob")).proceed());
    assertTrue(t.check(user("alice")).proceed());
    assertTrue(t.check(user("alice")).proceed(), "pro has no concurrency cap");
  }

  @Test
  void aPlanWithoutLimitsIsUnlimitedByTheDefaultRule() {
    Tollgate t =
        engine(
            new FakeClock(T0),
            with(
                TWO_PLANS,
                "plans.internal.limits",
                "none",
                "plans.internal.clients",
                "user:batch"));

    assertEquals(500, admitted(t, user("batch"), 500));
  }

  @Test
  void startupErrorsNameTheKeyAndTheValue() {
    ConfigException e = fails("plans.free.limits", "100/1x");
    assertEquals("plans.free.limits", e.key());
    assertTrue(e.getMessage().contains("'100/1x'"), e.getMessage());

    e = fails("plans.free.limits", "100/1m", "plans.default", "gold");
    assertEquals("plans.default", e.key());
    assertTrue(
        e.getMessage().contains("'gold'") && e.getMessage().contains("free"), e.getMessage());

    e = fails("plans.free.limitz", "100/1m");
    assertEquals("plans.free.limitz", e.key());
    assertTrue(e.getMessage().contains("limits"), e.getMessage());

    e = fails("plans.free.rules.nope.limits", "1/1m");
    assertEquals("plans.free.rules.nope.limits", e.key());

    e = fails("plans.free.limits", "10/1m", "plans.resolvers", "clients, database");
    assertEquals("plans.resolvers", e.key());
    assertTrue(e.getMessage().contains("'database'"), e.getMessage());

    e = fails("plans.free.limits", "10/1m", "plans.free.cost", "0");
    assertEquals("plans.free.cost", e.key());

    e = fails("plans.free.limits", "10/1m", "plans.free.cost", "11");
    assertEquals("plans.free.cost", e.key());

    e = fails("plans.free.limits", "10/1m", "plans.cache.timeout", "0ms");
    assertEquals("plans.cache.timeout", e.key());

    e = fails("plans.free.limits", "10/1m", "plans.jdbc.query", "SELECT plan FROM t WHERE k = ?");
    assertEquals("plans.jdbc.query", e.key());

    e =
        fails(
            "plans.free.limits",
            "10/1m",
            "plans.resolvers",
            "jdbc",
            "plans.jdbc.datasource",
            "java:comp/env/jdbc/p",
            "plans.jdbc.query",
            "SELECT plan FROM t");
    assertEquals("plans.jdbc.query", e.key());

    e = fails("plans.free.limits", "10/1m", "plans.resolvers", "class:no.such.Resolver");
    assertEquals("plans.resolvers", e.key());

    e = fails("plans.fr.ee.limits", "10/1m");
    assertEquals("plans.fr.ee.limits", e.key());
    e = fails("plans.f r.limits", "10/1m");
    assertEquals("plans.f r", e.key());

    e =
        fails(
            "plans.free.limits",
            "10/1m",
            "plans.pro.limits",
            "20/1m",
            "plans.free.clients",
            "user:alice",
            "plans.pro.clients",
            "user:alice");
    assertTrue(e.key().endsWith(".clients"), e.key());
  }

  // ---- resolution
  // ---------------------------------------------------------------------------------

  private static final String[] CHAIN = {
    "client.key", "principal, ip",
    "client.trusted-proxies", "10.0.0.0/8",
    "plans.free.limits", "5/1m",
    "plans.pro.limits", "20/1m",
    "plans.partner.limits", "50/1m",
    "plans.pro.clients", "user:alice",
    "plans.partner.roles", "partner",
    "plans.default", "free",
    "plans.resolvers", "clients, header:X-Plan, roles"
  };

  @Test
  void theFirstSourceThatKnowsTheClientWins() {
    Tollgate t = engine(new FakeClock(T0), CHAIN);

    assertEquals(
        "pro",
        t.check(user("alice").roles("partner").from("10.0.0.1").header("X-Plan", "partner")).plan(),
        "the static mapping comes first");
    assertEquals(
        "partner",
        t.check(user("bob").from("10.0.0.1").header("X-Plan", "partner")).plan(),
        "then the gateway's header");
    assertEquals("partner", t.check(user("carol").roles("partner")).plan(), "then the roles");
    assertEquals("free", t.check(user("dave").roles("staff")).plan(), "then the default plan");
  }

  @Test
  void aPlanHeaderFromAPeerThatIsNotATrustedProxyIsIgnored() {
    Tollgate t = engine(new FakeClock(T0), CHAIN);

    assertEquals(
        "free", t.check(user("mallory").from("203.0.113.66").header("X-Plan", "partner")).plan());
    assertEquals(
        "free",
        t.check(user("mallory").from("10.0.0.1").header("X-Plan", "platinum")).plan(),
        "a plan that does not exist is ignored");
  }

  @Test
  void aHeaderIsIgnoredWithoutTrustedProxies() {
    String[] chain = CHAIN.clone();
    chain[3] = ""; // no trusted proxy
    Tollgate t = engine(new FakeClock(T0), chain);

    assertEquals("free", t.check(user("bob").from("10.0.0.1").header("X-Plan", "partner")).plan());
  }

  @Test
  void rolesNeedAnAuthenticatedPrincipal() {
    Tollgate t = engine(new FakeClock(T0), CHAIN);

    assertEquals("free", t.check(TestRequest.get("/x").roles("partner")).plan());
  }

  /** Records what the engine reports. */
  static final class Recorded implements TollgateMetrics {
    final List<String> fallbacks = new CopyOnWriteArrayList<>();

    @Override
    public void planFallback(String reason) {
      fallbacks.add(reason);
    }
  }

  private static Tollgate withResolver(
      FakeClock clock, PlanResolver resolver, Duration timeout, TollgateMetrics metrics) {
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("free").limits(Limit.of(5, Duration.ofMinutes(1))).build())
            .plan(Plan.builder("pro").limits(Limit.of(20, Duration.ofMinutes(1))).build())
            .defaultPlan("free")
            .byResolver(resolver)
            .cache(
                new Plans.CacheSettings(
                    1000, Duration.ofMinutes(10), Duration.ofMinutes(1), timeout))
            .clock(clock)
            .build();
    TollgateConfig config =
        TollgateConfig.builder().clientKey(ClientKeys.principal()).plans(plans).build();
    return Tollgate.builder(config).clock(clock).metrics(metrics).build();
  }

  @Test
  void closingTheEngineStopsTheResolversThreadsAndALaterLookUpStartsNewOnes() throws Exception {
    List<Thread> askedOn = new CopyOnWriteArrayList<>();
    Tollgate t =
        withResolver(
            new FakeClock(T0),
            client -> {
              askedOn.add(Thread.currentThread());
              return "pro";
            },
            Duration.ofSeconds(2),
            TollgateMetrics.NONE);
    assertEquals("pro", t.check(user("alice")).plan());
    Thread first = askedOn.get(0);
    assertTrue(first.getName().startsWith("tollgate-plans-"), first.getName());

    t.close();

    // Idle threads would end after 30 s; a container undeploying the application must find none.
    first.join(5_000);
    assertFalse(first.isAlive(), "a plan thread outlived the engine");
    // A configuration shared with another engine still resolves plans.
    assertEquals("pro", t.check(user("bob")).plan());
    assertNotSame(first, askedOn.get(askedOn.size() - 1));
  }

  @Test
  void aResolverThatThrowsGivesTheFallbackPlanAndIsCounted() {
    Recorded metrics = new Recorded();
    Tollgate t =
        withResolver(
            new FakeClock(T0),
            client -> {
              throw new java.sql.SQLException("database unreachable");
            },
            Duration.ofSeconds(2),
            metrics);

    Verdict v = t.check(user("alice"));

    assertTrue(v.proceed());
    assertEquals("free", v.plan());
    assertEquals(List.of("error"), metrics.fallbacks);
  }

  @Test
  void aSlowResolverDoesNotHoldTheRequestBeyondTheTimeoutAndItsAnswerIsUsedOnceIn()
      throws Exception {
    Recorded metrics = new Recorded();
    CountDownLatch answer = new CountDownLatch(1);
    Tollgate t =
        withResolver(
            new FakeClock(T0),
            client -> {
              answer.await(10, TimeUnit.SECONDS);
              return "pro";
            },
            Duration.ofMillis(50),
            metrics);

    long start = System.nanoTime();
    Verdict v = t.check(user("alice"));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertEquals("free", v.plan());
    assertTrue(tookMillis < 2_000, "waited " + tookMillis + " ms");
    assertEquals(List.of("timeout"), metrics.fallbacks);
    answer.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String plan;
    do {
      plan = t.check(user("alice")).plan();
    } while (!plan.equals("pro") && System.nanoTime() < deadline && pause());
    assertEquals("pro", plan);
  }

  private static boolean pause() {
    Thread.onSpinWait();
    return true;
  }

  @Test
  void aResolverThatDoesNotKnowTheClientLeavesItToTheNextSource() {
    Recorded metrics = new Recorded();
    Tollgate t =
        withResolver(
            new FakeClock(T0),
            client -> client.equals("user:alice") ? "pro" : null,
            Duration.ofSeconds(30), // a resolver that answers: no timeout on a loaded machine
            metrics);

    assertEquals("pro", t.check(user("alice")).plan());
    assertEquals("free", t.check(user("bob")).plan());
    assertEquals(List.of(), metrics.fallbacks);
  }

  @Test
  void metricsNameThePlanAndTheFallbacks() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(props(TWO_PLANS)))
            .clock(new FakeClock(T0))
            .metrics(new dev.tollgate.core.micrometer.MicrometerMetrics(registry))
            .build();

    admitted(t, user("bob"), 6);

    assertEquals(
        5,
        registry.counter("tollgate.plan.requests", "plan", "free", "outcome", "admitted").count());
    assertEquals(
        1,
        registry
            .counter("tollgate.plan.requests", "plan", "free", "outcome", "rate_limited")
            .count());
    assertEquals(
        1,
        registry
            .counter(
                "tollgate.limit.rejections",
                "rule",
                "default",
                "policy",
                "free-minute",
                "dry_run",
                "false")
            .count());
  }

  // ---- responses
  // ----------------------------------------------------------------------------------

  @Test
  void theProblemBodyAndTheStatusDocumentNameThePlan() {
    Tollgate t = engine(new FakeClock(T0), with(TWO_PLANS, "status.path", "/rate_limit"));
    admitted(t, user("bob"), 5);

    Verdict limited = t.check(user("bob"));
    Verdict status = t.check(user("bob").path("/rate_limit"));

    assertEquals(429, limited.status());
    Map<String, Object> problem = MiniJson.object(limited.problemBody());
    assertEquals(List.of("free-minute"), problem.get("violated-policies"));
    assertEquals("free", problem.get("plan"));
    assertTrue(((String) problem.get("detail")).contains("of plan free"), limited.problemBody());
    Map<String, Object> doc = MiniJson.object(status.body());
    assertEquals("free", doc.get("plan"));
    assertTrue(
        status.body().contains("\"policy\":\"free-minute\",\"algorithm\":\"fixed\",\"limit\":5"),
        status.body());
  }

  // ---- plan changes
  // -------------------------------------------------------------------------------

  private static final String[] FREE_AND_PRO = {
    "client.key", "principal",
    "plans.free.limits", "100/1m, 10000/24h rolling",
    "plans.pro.limits", "1000/1m, 200000/24h rolling",
    "plans.default", "free"
  };

  @Test
  void anUpgradedClientKeepsWhatItUsedAndADowngradedOneIsLimitedAtOnce() {
    FakeClock clock = new FakeClock(T0);
    Tollgate t = engine(clock, FREE_AND_PRO);
    assertEquals(80, admitted(t, user("alice"), 80));

    t.reconfigure(
        TollgateConfig.parse(props(with(FREE_AND_PRO, "plans.pro.clients", "user:alice"))));
    Verdict upgraded = t.check(user("alice"));

    assertEquals("pro", upgraded.plan());
    assertEquals(
        919,
        MultiLimitTest.remaining(upgraded, "pro-minute"),
        "80 used of free's 100, then one more of pro's 1000");
    assertEquals(200000 - 81, MultiLimitTest.remaining(upgraded, "pro-day"));
    assertEquals(100, admitted(t, user("alice"), 100));

    t.reconfigure(TollgateConfig.parse(props(FREE_AND_PRO)));
    Verdict downgraded = t.check(user("alice"));

    assertFalse(downgraded.proceed(), "181 used of free's 100");
    assertEquals("free", downgraded.plan());
    assertEquals(List.of("free-minute"), MultiLimitTest.rejecting(downgraded));
    clock.advance(Duration.ofMinutes(1));
    assertTrue(t.check(user("alice")).proceed());
  }

  @Test
  void aPlanChangeThroughTheResolverKeepsUsageToo() {
    FakeClock clock = new FakeClock(T0);
    Map<String, String> billing = new ConcurrentHashMap<>();
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("free").limits(Limit.parse("100/1m")).build())
            .plan(Plan.builder("pro").limits(Limit.parse("1000/1m")).build())
            .defaultPlan("free")
            .byResolver(billing::get)
            .cache(
                new Plans.CacheSettings(
                    1000, Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(5)))
            .clock(clock)
            .build();
    Tollgate t =
        Tollgate.builder(
                TollgateConfig.builder().clientKey(ClientKeys.principal()).plans(plans).build())
            .clock(clock)
            .build();
    assertEquals(80, admitted(t, user("alice"), 80));

    billing.put("user:alice", "pro");
    clock.advance(Duration.ofSeconds(31)); // the cached "no plan" is refreshed in the background
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int admittedOnFree = 0;
    Verdict v;
    while (!"pro".equals((v = t.check(user("alice"))).plan()) && System.nanoTime() < deadline) {
      admittedOnFree += v.proceed() ? 1 : 0;
    }

    assertEquals("pro", v.plan());
    assertEquals(
        1000 - 80 - admittedOnFree - 1,
        MultiLimitTest.remaining(v, "pro-minute"),
        "usage kept: " + v.limits());
  }

  @Test
  void withoutPlansNothingChanges() {
    Tollgate t = engine(new FakeClock(T0), "limits", "5/1m");

    Verdict v = t.check(TestRequest.get("/x"));

    assertNull(v.plan());
    assertEquals("\"minute\";q=5;w=60", header(v, "RateLimit-Policy"));
    assertNull(TollgateConfig.parse(Map.of()).plans());
  }

  // ---- the builder, the summary and the page-size check
  // ------------------------------------------------------------------

  private static Plan plan(String name, String limits) {
    return Plan.builder(name).limits(Limit.parse(limits)).build();
  }

  @Test
  void theBuiltPlansAreWhatTheBuilderWasTold() {
    Plan free = plan("free", "5/1m");
    Plan pro = plan("pro", "20/1m");
    Plans plans =
        Plans.builder()
            .plan(free)
            .plan(pro)
            .defaultPlan("free")
            .fallbackPlan("pro")
            .byClients()
            .byHeader("X-Plan")
            .byRoles()
            .trustedProxies(List.of("10.0.0.0/8"))
            .cache(Plans.CacheSettings.DEFAULTS)
            .clock(new FakeClock(T0))
            .build();

    assertEquals(List.of(free, pro), plans.all());
    assertSame(pro, plans.named("pro"));
    assertNull(plans.named("gold"));
    assertSame(free, plans.defaultPlan());
    assertSame(pro, plans.fallbackPlan());
    assertEquals(List.of("clients", "header:X-Plan", "roles"), plans.sources());
    assertEquals(
        "plans free, pro by [clients, header:X-Plan, roles], default free, fallback pro",
        plans.toString());
  }

  @Test
  void theSummaryOfPlansWithoutADefaultNamesNone() {
    Plans plans = Plans.builder().plan(plan("pro", "20/1m")).build();

    assertNull(plans.defaultPlan());
    assertNull(plans.fallbackPlan());
    assertEquals("plans pro by [clients, roles]", plans.toString());
  }

  @Test
  void theFallbackIsTheDefaultPlanUnlessSet() {
    Plans built =
        Plans.builder()
            .plan(plan("free", "5/1m"))
            .plan(plan("pro", "20/1m"))
            .defaultPlan("free")
            .build();

    assertSame(built.defaultPlan(), built.fallbackPlan());
    assertEquals("plans free, pro by [clients, roles], default free", built.toString());
  }

  @Test
  void trustedProxiesSetTwiceAreTheLastList() {
    FakeClock clock = new FakeClock(T0);
    Plans plans =
        Plans.builder()
            .plan(plan("free", "5/1m"))
            .plan(plan("pro", "20/1m"))
            .defaultPlan("free")
            .byHeader("X-Plan")
            .trustedProxies(List.of("10.0.0.0/8"))
            .trustedProxies(List.of("192.0.2.1"))
            .clock(clock)
            .build();
    Tollgate t =
        Tollgate.builder(TollgateConfig.builder().plans(plans).build()).clock(clock).build();

    assertEquals(
        "pro", t.check(TestRequest.get("/x").from("192.0.2.1").header("X-Plan", "pro")).plan());
    assertEquals(
        "free",
        t.check(TestRequest.get("/x").from("10.0.0.1").header("X-Plan", "pro")).plan(),
        "the first list was replaced");
  }

  @Test
  void theCacheTakesOneClientAtLeast() {
    Plans.CacheSettings one =
        new Plans.CacheSettings(
            1, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMillis(1));
    assertEquals(1, one.maxEntries());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new Plans.CacheSettings(
                    0, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMillis(1)));
    assertEquals(
        "plans.cache.max-entries: '0' is not a whole number of at least 1", e.getMessage());
  }

  @Test
  void aPlanLoweringThePageSizeLowersItForThePageSizeCheckAlone() {
    Tollgate t = engine(new FakeClock(T0), with(TWO_PLANS, "plans.free.page-size.max", "50"));

    TestRequest bob = user("bob").query("pageSize=500");
    TestRequest alice = user("alice").query("pageSize=500");

    assertEquals(Map.of("pageSize", 50), t.pageSize(bob, null).values());
    assertEquals(Map.of("pageSize", 500), t.pageSize(alice, null).values());
  }

  @Test
  void thePageSizeCheckAsksNoPlanSourceWhenNoPlanLowersThePageSize() {
    Recorded metrics = new Recorded();
    Tollgate t =
        withResolver(
            new FakeClock(T0),
            client -> {
              throw new java.sql.SQLException("database unreachable");
            },
            Duration.ofSeconds(2),
            metrics);

    t.pageSize(user("alice").query("pageSize=500"), null);

    assertEquals(List.of(), metrics.fallbacks);
  }

  // ---- what the log says
  // ------------------------------------------------------------------

  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(
                MessageFormat.format(
                    r.getMessage(), r.getParameters() == null ? new Object[0] : r.getParameters()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  @Test
  void aFailingResolverIsLoggedWithItsErrorOnceAMinute() {
    FakeClock clock = new FakeClock(T0);
    Tollgate t =
        withResolver(
            clock,
            client -> {
              throw new java.sql.SQLException("database unreachable");
            },
            Duration.ofSeconds(2),
            TollgateMetrics.NONE);

    t.check(user("alice"));
    t.check(user("bob"));
    assertEquals(
        List.of(
            "Plan source resolver dev.tollgate.core.PlansTest failed"
                + " (java.sql.SQLException: database unreachable); clients it would place get the"
                + " fallback plan free. Further failures in the next minute are not logged."),
        warnings);

    clock.advance(Duration.ofMinutes(1));
    t.check(user("alice"));
    assertEquals(2, warnings.size(), "one more a minute later");
  }

  @Test
  void aResolverTooSlowIsLoggedAsSuchAndWithoutAFallbackPlanTheRulesLimitsAreNamed()
      throws Exception {
    FakeClock clock = new FakeClock(T0);
    CountDownLatch answer = new CountDownLatch(1);
    Plans plans =
        Plans.builder()
            .plan(plan("pro", "20/1m"))
            .byResolver(
                client -> {
                  answer.await(10, TimeUnit.SECONDS);
                  return "pro";
                })
            .cache(
                new Plans.CacheSettings(
                    10, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMillis(1)))
            .clock(clock)
            .build();
    Tollgate t =
        Tollgate.builder(
                TollgateConfig.builder().clientKey(ClientKeys.principal()).plans(plans).build())
            .clock(clock)
            .build();
    try {
      assertEquals("none", t.check(user("alice")).plan());
    } finally {
      answer.countDown();
      t.close();
    }

    assertEquals(
        List.of(
            "Plan source resolver dev.tollgate.core.PlansTest did not answer in time; clients it"
                + " would place get the fallback plan (none: the rules' own limits). Further"
                + " failures in the next minute are not logged."),
        warnings);
  }

  @Test
  void aPlanNameThatIsNotConfiguredIsLoggedShortenedOnceAMinute() {
    FakeClock clock = new FakeClock(T0);
    Plans plans =
        Plans.builder()
            .plan(plan("pro", "20/1m"))
            .byHeader("X-Plan")
            .trustedProxies(List.of("10.0.0.0/8"))
            .clock(clock)
            .build();
    Tollgate t =
        Tollgate.builder(TollgateConfig.builder().plans(plans).build()).clock(clock).build();
    String longName = "x".repeat(100);

    t.check(user("mallory").from("10.0.0.1").header("X-Plan", longName));
    t.check(user("mallory").from("10.0.0.1").header("X-Plan", "platinum"));

    assertEquals(
        List.of(
            "Plan source header:X-Plan named a plan that is not configured: "
                + "x".repeat(64)
                + "; ignored. Further such names in the next minute are not logged."),
        warnings);
    clock.advance(Duration.ofMinutes(1));
    t.check(user("mallory").from("10.0.0.1").header("X-Plan", "platinum"));
    assertEquals(2, warnings.size(), "one more a minute later");
    assertTrue(warnings.get(1).contains(": platinum; ignored."), warnings.get(1));
  }
}
