package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration from properties: every key, and errors that name key and value. */
class ConfigParserTest {

  private static ConfigException fails(String... kv) {
    return assertThrows(ConfigException.class, () -> TollgateConfig.parse(props(kv)));
  }

  private static void assertStartsWith(String expectedStart, String actual) {
    assertTrue(
        actual.startsWith(expectedStart),
        "expected a message starting with\n  " + expectedStart + "\nbut was\n  " + actual);
  }

  private static void assertContains(String expected, String actual) {
    assertTrue(
        actual.contains(expected),
        "expected a message containing\n  " + expected + "\nbut was\n  " + actual);
  }

  // ---- sources
  // ------------------------------------------------------------------------------------

  @Test
  void anEmptyConfigurationHasTheDocumentedDefaults() {
    TollgateConfig c = TollgateConfig.parse(Map.of());
    assertEquals(List.of(Limit.of(100, Duration.ofMinutes(1))), c.defaultRule().limits());
    assertEquals(PageSizeRule.defaults(), c.defaultRule().pageSize());
    assertEquals(List.of(HeaderDialect.IETF), c.dialects());
    assertEquals("memory", c.storeType());
    assertEquals(100_000, c.maxTrackedClients());
    assertEquals(0.0, c.headersAfterUsedShare());
    assertTrue(c.rules().isEmpty());
    assertEquals("ip", c.clientKey().toString());
  }

  @Test
  void aPropertiesStreamReadsLikeAMap() throws IOException {
    String file =
        "# Tollgate\n"
            + "limits = 100/1m, 10000/24h rolling\n"
            + "client.key=header:X-Api-Key, ip\n"
            + "headers.dialects=ietf, teos\n"
            + "rules.reports.path=/api/reports\n"
            + "rules.reports.limits=10/1m \\\n    as reports\n"
            + "rules.reports.page-size.max=100\n"
            + "page-size.default=20\n"
            + "page-size.max=1000\n";
    TollgateConfig fromFile =
        TollgateConfig.load(
            new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), "t.properties");
    TollgateConfig fromMap =
        TollgateConfig.parse(
            props(
                "limits",
                "100/1m, 10000/24h rolling",
                "client.key",
                "header:X-Api-Key, ip",
                "headers.dialects",
                "ietf, teos",
                "rules.reports.path",
                "/api/reports",
                "rules.reports.limits",
                "10/1m as reports",
                "rules.reports.page-size.max",
                "100",
                "page-size.default",
                "20",
                "page-size.max",
                "1000"));
    assertEquals(fromMap.summary(), fromFile.summary());
    assertEquals(Limit.parse("10/1m as reports"), fromFile.rules().get(0).limits().get(0));
  }

  @Test
  void aPropertiesStreamIsReadAsUtf8() throws IOException {
    String file = "rules.caf\u00e9.path=/x\n";
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                TollgateConfig.load(
                    new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)),
                    "utf8.properties"));
    assertContains("caf\u00e9", e.getMessage());
  }

  @Test
  void anErrorInAFileNamesTheKeyTheValueAndTheFile() {
    String file = "rules.reports.path=/api/reports\nrules.reports.limits=10O/1m\n";
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                TollgateConfig.load(
                    new ByteArrayInputStream(file.getBytes(StandardCharsets.ISO_8859_1)),
                    "tollgate.properties"));
    assertEquals("rules.reports.limits", e.key());
    assertStartsWith(
        "rules.reports.limits: '10O/1m' is not a valid limit (expected <count>/<duration>",
        e.getMessage());
    assertTrue(e.getMessage().endsWith("(in tollgate.properties)"), e.getMessage());
  }

  // ---- every key ------------------------------------------------------------------------------

  @Test
  void everyKeyIsReadIntoTheConfiguration() {
    TollgateConfig c =
        TollgateConfig.parse(
            props(
                "client.key", "header:X-Api-Key, bearer, principal, ip",
                "client.trusted-proxies", "10.0.0.0/8, ::1",
                "client.ipv6-prefix", "56",
                "headers.dialects", "ietf, teos, github",
                "headers.after-used-share", "0.25",
                "store.type", "memory",
                "store.max-clients", "5000",
                "limits", "100/1m, 10000/24h rolling(1h) as daily",
                "cost", "2",
                "count-rejected", "true",
                "on-store-failure", "closed",
                "page-size.enabled", "true",
                "page-size.parameters", "pageSize, limit",
                "page-size.default", "25",
                "page-size.max", "500",
                "page-size.on-invalid", "default",
                "rules.reports.path", "/api/reports, /api/reports/**",
                "rules.reports.methods", "get, POST",
                "rules.reports.limits", "10/1m token-bucket",
                "rules.reports.cost", "3",
                "rules.reports.count-rejected", "false",
                "rules.reports.client.key", "principal, ip",
                "rules.reports.on-store-failure", "open",
                "rules.reports.page-size.parameters", "size",
                "rules.reports.page-size.default", "10",
                "rules.reports.page-size.max", "100",
                "rules.reports.page-size.on-invalid", "reject",
                "rules.raw.path", "/raw",
                "rules.raw.page-size.enabled", "false"));

    assertEquals("header:X-Api-Key, bearer, principal, ip", c.clientKey().toString());
    assertEquals(
        List.of(HeaderDialect.IETF, HeaderDialect.TEOS, HeaderDialect.GITHUB), c.dialects());
    assertEquals(0.25, c.headersAfterUsedShare());
    assertEquals(5000, c.maxTrackedClients());
    assertEquals("memory", c.storeType());

    Rule d = c.defaultRule();
    assertEquals(
        List.of(
            Limit.of(100, Duration.ofMinutes(1)),
            Limit.of(10000, Duration.ofHours(24), Algorithm.ROLLING_WINDOW)
                .withPrecision(Duration.ofHours(1))
                .named("daily")),
        d.limits());
    assertEquals(2, d.cost());
    assertTrue(d.countRejected());
    assertEquals(Rule.StoreFailure.CLOSED, d.onStoreFailure());
    assertEquals(
        PageSizeRule.of(List.of("pageSize", "limit"), 25, 500, InvalidPageSize.USE_DEFAULT),
        d.pageSize());

    Rule r = rule(c, "reports");
    assertEquals("reports", r.name());
    assertEquals(List.of("/api/reports", "/api/reports/**"), r.paths());
    assertEquals(java.util.Set.of("GET", "POST"), r.methods());
    assertEquals(List.of(Limit.of(10, Duration.ofMinutes(1), Algorithm.TOKEN_BUCKET)), r.limits());
    assertEquals(3, r.cost());
    assertFalse(r.countRejected());
    assertEquals("principal, ip", r.clientKey().toString());
    assertEquals(Rule.StoreFailure.OPEN, r.onStoreFailure());
    assertEquals(PageSizeRule.of(List.of("size"), 10, 100, InvalidPageSize.REJECT), r.pageSize());
    assertTrue(r.matches("get", "/api/reports/x"));
    assertFalse(r.matches("DELETE", "/api/reports"));

    Rule raw = rule(c, "raw");
    assertEquals(PageSizeRule.disabled(), raw.pageSize());
    assertTrue(raw.limits().isEmpty());
  }

  private static Rule rule(TollgateConfig c, String name) {
    for (Rule r : c.rules()) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no rule " + name);
  }

  @Test
  void theIpKeySettingsReachTheResolver() {
    TollgateConfig c =
        TollgateConfig.parse(
            props("client.trusted-proxies", "10.0.0.0/8", "client.ipv6-prefix", "56"));
    assertEquals(
        "ip:198.51.100.1",
        c.clientKey()
            .resolve(
                TestRequest.get("/").from("10.1.2.3").header("X-Forwarded-For", "198.51.100.1")));
    assertEquals(
        "ip:2001:db8:0:ab00:0:0:0:0/56",
        c.clientKey().resolve(TestRequest.get("/").from("2001:db8:0:abcd::1")));
  }

  @Test
  void headersNoneSendsNoDialect() {
    assertTrue(TollgateConfig.parse(props("headers.dialects", "none")).dialects().isEmpty());
    assertTrue(TollgateConfig.parse(props("headers.dialects", "NONE")).dialects().isEmpty());
  }

  @Test
  void overridesReplaceFileValuesWrittenWithTheOtherFormOfTheKey() throws IOException {
    byte[] file =
        "limits=100/1m\nrules.default.page-size.max=500\n".getBytes(StandardCharsets.UTF_8);
    TollgateConfig c =
        TollgateConfig.load(
            new ByteArrayInputStream(file),
            "t.properties",
            props("rules.default.limits", "200/1m", "page-size.max", "300"));
    assertEquals(List.of(Limit.of(200, Duration.ofMinutes(1))), c.defaultRule().limits());
    assertEquals(300, c.defaultRule().pageSize().maxSize());
  }

  @Test
  void overridesReplaceFileValuesOfTheSameKey() throws IOException {
    byte[] file = "limits=100/1m\n".getBytes(StandardCharsets.UTF_8);
    TollgateConfig c =
        TollgateConfig.load(
            new ByteArrayInputStream(file), "t.properties", props("limits", "200/1m"));
    assertEquals(List.of(Limit.of(200, Duration.ofMinutes(1))), c.defaultRule().limits());
  }

  // ---- shorthand keys -------------------------------------------------------------------------

  @Test
  void shorthandKeysEqualTheirDefaultRuleKeys() {
    TollgateConfig shorthand =
        TollgateConfig.parse(
            props(
                "limits",
                "50/1m",
                "page-size.max",
                "300",
                "cost",
                "2",
                "count-rejected",
                "true",
                "page-size.on-invalid",
                "default"));
    TollgateConfig full =
        TollgateConfig.parse(
            props(
                "rules.default.limits",
                "50/1m",
                "rules.default.page-size.max",
                "300",
                "rules.default.cost",
                "2",
                "rules.default.count-rejected",
                "true",
                "rules.default.page-size.on-invalid",
                "default"));
    assertEquals(full.summary(), shorthand.summary());
    assertEquals(full.defaultRule().pageSize(), shorthand.defaultRule().pageSize());
    assertEquals(300, shorthand.defaultRule().pageSize().maxSize());
  }

  @ParameterizedTest
  @CsvSource({"limits, 50/1m, 60/1m", "page-size.max, 300, 400", "cost, 1, 2"})
  void aShorthandKeyConflictsWithItsDefaultRuleKey(String key, String a, String b) {
    ConfigException e = fails(key, a, "rules.default." + key, b);
    assertEquals(key, e.key());
    assertEquals(key + ": is set twice, also as rules.default." + key, e.getMessage());
  }

  // ---- errors -----------------------------------------------------------------------------------

  @Test
  void anInvalidLimitNamesRuleKeyAndValue() {
    ConfigException e =
        fails("rules.reports.path", "/api/reports", "rules.reports.limits", "10O/1m");
    assertEquals("rules.reports.limits", e.key());
    assertStartsWith(
        "rules.reports.limits: '10O/1m' is not a valid limit (expected <count>/<duration>",
        e.getMessage());
  }

  @Test
  void unknownKeysAreErrorsAtTheTopLevelAndInsideARule() {
    ConfigException top = fails("limit", "100/1m");
    assertEquals("limit", top.key());
    assertStartsWith("limit: unknown key (expected one of ", top.getMessage());
    assertContains("rules.<name>.<setting>", top.getMessage());

    ConfigException inRule = fails("rules.reports.path", "/r", "rules.reports.limit", "1/1m");
    assertEquals("rules.reports.limit", inRule.key());
    assertStartsWith("rules.reports.limit: unknown key (a rule takes ", inRule.getMessage());

    assertEquals("rules.reports", fails("rules.reports", "x").key());
    assertEquals("headers.dialect", fails("headers.dialect", "ietf").key());
    assertEquals("store.redis.uri", fails("store.redis.uri", "redis://localhost").key());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "pagesize.max          | page-size.max",
        "page_size.max         | page-size.max",
        "page-size.maximum     | page-size.max",
        "Page-Size.Max         | page-size.max",
        "limit                 | limits",
        "header.dialects       | headers.dialects",
        "client.trusted-proxys | client.trusted-proxies",
        "status-path           | status.path",
        "metric                | metrics",
        "rules.reports.page-size.maxx | rules.reports.page-size.max",
        "rules.reports.limit   | rules.reports.limits",
        "rules.reports.method  | rules.reports.methods",
      })
  void anUnknownKeyNearAKnownOneGetsADidYouMean(String key, String suggestion) {
    ConfigException e = fails("rules.reports.path", "/r", key, "1");
    assertEquals(key, e.key());
    assertStartsWith(key + ": unknown key (", e.getMessage());
    assertTrue(e.getMessage().endsWith("; did you mean " + suggestion + "?"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"colour", "rate", "rules.reports.burst", "x"})
  void anUnknownKeyFarFromEveryKnownOneGetsNoGuess(String key) {
    ConfigException e = fails("rules.reports.path", "/r", key, "1");
    assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"100/1x", "100/60", "100/1 min", "100/1w rolling", "10O/1m"})
  void aMalformedLimitListsTheDurationUnits(String value) {
    ConfigException e = fails("limits", value);
    assertStartsWith(
        "limits: '" + value + "' is not a valid limit (expected <count>/<duration>",
        e.getMessage());
    assertContains(
        "s (seconds), m (minutes), h (hours) or d (days), from 1s to 366d", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "100/1x    | is not a valid limit (expected <count>/<duration>",
        "100/0s    | is not a valid limit: window must be a whole number of seconds from 1s to 366d",
        "100/400d  | is not a valid limit: window must be a whole number of seconds from 1s to 366d, but was 400d",
        "100/1m sliding | is not a valid limit (expected",
        "100/1m rolling(7s) | is not a valid limit: precision must be at least 1s and divide the window 1m",
        "100/1m fixed(1s) | is not a valid limit: only a rolling window takes a precision",
        "0/1m      | is not a valid limit: quota must be at least 1",
        "99999999999/1m | is not a valid limit",
        "-1/1m     | is not a valid limit",
        "100 per minute | is not a valid limit"
      })
  void badLimitsAreErrorsNamingTheValue(String value, String reason) {
    ConfigException e = fails("limits", value);
    assertEquals("limits", e.key(), "a shorthand key is named as written");
    assertContains("'" + value + "' " + reason, e.getMessage());
  }

  @Test
  void aZeroWindowIsEchoedAsWritten() {
    ConfigException e = fails("limits", "100/0s");
    assertContains("but was 0s", e.getMessage());
  }

  @Test
  void duplicateLimitNamesAreAnError() {
    ConfigException e = fails("limits", "100/1m, 200/1m");
    assertEquals("limits", e.key());
    assertEquals("rules.default.limits", fails("rules.default.limits", "100/1m, 200/1m").key());
    assertContains("two limits are named 'minute'", e.getMessage());
    TollgateConfig.parse(props("limits", "100/1m, 200/1m token-bucket as burst"));
    ConfigException sameNameAcrossWindows = fails("limits", "100/1m as x, 200/1h as x");
    assertContains("two limits are named 'x'", sameNameAcrossWindows.getMessage());
  }

  @Test
  void aCostAboveAQuotaIsAnError() {
    ConfigException own =
        fails("rules.x.path", "/x", "rules.x.limits", "100/1m", "rules.x.cost", "200");
    assertEquals("rules.x.cost", own.key());
    assertContains("cost 200 exceeds the quota of 100/1m", own.getMessage());

    ConfigException onDefault =
        fails(
            "limits",
            "10/1m",
            "rules.x.path",
            "/x",
            "rules.x.limits",
            "100/1m",
            "rules.x.cost",
            "20");
    assertEquals("rules.x.cost", onDefault.key());
    assertContains("exceeds the quota of the default rule's limit", onDefault.getMessage());

    assertEquals("cost", fails("limits", "10/1m", "cost", "11").key());
    assertEquals(
        "rules.default.cost",
        fails("rules.default.limits", "10/1m", "rules.default.cost", "11").key());
  }

  @Test
  void anInheritedCostAboveAnEndpointQuotaIsAnError() {
    // cost=5 applies to /x as well, whose quota of 3 could then never admit a request.
    ConfigException e = fails("cost", "5", "rules.x.path", "/x", "rules.x.limits", "3/1m");
    assertTrue(e.key().startsWith("rules.x."), e.getMessage());
    assertContains("exceeds the quota", e.getMessage());
  }

  @Test
  void theDefaultRuleTakesNoPathAndAnEndpointRuleNeedsOne() {
    ConfigException withPath = fails("rules.default.path", "/api");
    assertEquals("rules.default.path", withPath.key());
    assertContains("takes no path", withPath.getMessage());
    assertEquals("rules.default.methods", fails("rules.default.methods", "GET").key());

    ConfigException noPath = fails("rules.reports.limits", "10/1m");
    assertEquals("rules.reports.path", noPath.key());
    assertStartsWith("rules.reports.path: is missing", noPath.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "headers.dialects | ietf, draft | 'draft' is not a header dialect",
        "headers.dialects | ,  | names no dialect",
        "headers.after-used-share | 1.5 | '1.5' is not a share",
        "headers.after-used-share | half | 'half' is not a share",
        "client.trusted-proxies | 10.0.0.0/33 | '10.0.0.0/33' has an invalid prefix length",
        "client.trusted-proxies | proxy.example.com | 'proxy.example.com' is not an IP address or range",
        "client.ipv6-prefix | 129 | '129' is not a whole number from 1 to 128",
        "client.ipv6-prefix | 0 | '0' is not a whole number from 1 to 128",
        "client.key | cookie:session | 'cookie:session' is not a client key",
        "client.key | header: | 'header:' is not a client key",
        "client.key | ip, ip | 'ip' is listed twice",
        "client.key | class:no.such.Resolver | names a class that was not found",
        "store.max-clients | 0 | '0' is not a whole number",
        "store.max-clients | lots | 'lots' is not a whole number",
        "store.max-clients | 536870913 | '536870913' is not a whole number from 1 to 536870912",
        "count-rejected | yes | 'yes' is not a boolean",
        "on-store-failure | maybe | 'maybe' is not a failure policy",
        "page-size.on-invalid | ignore | 'ignore' is not a choice",
        "page-size.max | abc | 'abc' is not a whole number",
        "page-size.max | 0 | '0' is not a whole number",
        "page-size.default | 2000 | '2000' is above the maximum page size 1000",
        "page-size.enabled | on | 'on' is not a boolean",
        "cost | 0 | '0' is not a whole number",
        "cost | two | 'two' is not a whole number"
      })
  void badValuesAreErrorsNamingKeyAndValue(String key, String value, String expected) {
    ConfigException e = fails(key, value);
    assertEquals(key, e.key(), "named as written");
    assertContains(expected, e.getMessage());
    assertStartsWith(e.key() + ": ", e.getMessage());
  }

  @Test
  void badRuleSettingsNameTheRuleKey() {
    assertEquals("rules.x.path", fails("rules.x.path", "api/x").key());
    assertEquals("rules.x.methods", fails("rules.x.path", "/x", "rules.x.methods", "G3T").key());
    assertEquals(
        "rules.x.page-size.max", fails("rules.x.path", "/x", "rules.x.page-size.max", "-1").key());
    ConfigException name = fails("rules.a b.path", "/x");
    assertContains("rule name", name.getMessage());
  }

  @Test
  void anUnknownStoreTypeIsAnErrorWhenTheEngineIsCreated() {
    TollgateConfig c = TollgateConfig.parse(props("store.type", "carrier-pigeon"));
    ConfigException e = assertThrows(ConfigException.class, () -> Tollgate.create(c));
    assertEquals("store.type", e.key());
    assertStartsWith("store.type: 'carrier-pigeon' is not an available store", e.getMessage());
  }

  @Test
  void controlCharactersInAnEchoedValueAreEscaped() {
    ConfigException e = fails("limits", "1/1m\u0000\u001b[31m");
    assertFalse(e.getMessage().chars().anyMatch(ch -> ch < 0x20), e.getMessage());
  }

  // ---- builder equals parser ------------------------------------------------------------------

  @Test
  void theBuilderProducesTheSameConfigurationAsTheParser() {
    TollgateConfig parsed =
        TollgateConfig.parse(
            props(
                "limits", "100/1m, 10000/24h rolling",
                "client.key", "header:X-Api-Key, ip",
                "headers.dialects", "ietf, teos",
                "rules.reports.path", "/api/reports",
                "rules.reports.limits", "10/1m",
                "rules.reports.cost", "2",
                "rules.reports.page-size.max", "100"));
    TollgateConfig built =
        TollgateConfig.builder()
            .defaultRule(
                Rule.builder(Rule.DEFAULT)
                    .limits(
                        Limit.of(100, Duration.ofMinutes(1)),
                        Limit.of(10000, Duration.ofHours(24), Algorithm.ROLLING_WINDOW))
                    .build())
            .rule(
                Rule.builder("reports")
                    .paths("/api/reports")
                    .limits("10/1m")
                    .cost(2)
                    .pageSize(PageSizeRule.of(List.of("pageSize"), 20, 100, InvalidPageSize.REJECT))
                    .build())
            .clientKey(ClientKeys.header("X-Api-Key"), ClientKeys.ip())
            .dialects(HeaderDialect.IETF, HeaderDialect.TEOS)
            .build();
    assertEquals(parsed.summary(), built.summary());
    assertEquals(decisions(parsed), decisions(built));
  }

  private static List<String> decisions(TollgateConfig config) {
    FakeClock clock = FakeClock.at1800().advance(Duration.ofSeconds(17));
    Tollgate t = Tollgate.builder(config).clock(clock).build();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      TestRequest r =
          (i % 2 == 0 ? TestRequest.get("/api/reports") : TestRequest.get("/api/items"))
              .header("X-Api-Key", i < 10 ? "alice" : "bob")
              .param("pageSize", i % 3 == 0 ? "500" : "abc");
      Verdict v = t.check(r);
      out.add(v.status() + " " + v.headers() + " " + v.pageSize() + " " + v.problemBody());
      clock.advance(Duration.ofSeconds(1));
    }
    return out;
  }

  @Test
  void theDefaultRuleCanBeLeftWithoutLimits() {
    TollgateConfig c = TollgateConfig.parse(props("limits", ""));
    assertTrue(c.defaultRule().limits().isEmpty());
    Verdict v = Tollgate.builder(c).clock(FakeClock.at1800()).build().check(TestRequest.get("/x"));
    assertTrue(v.proceed());
    assertNull(v.problemBody());
  }
}
