package dev.tollgate.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mock.env.MockEnvironment;

/** tollgate.* in the forms Boot users write it, read into core's keys. */
class TollgatePropertiesTest {

  private static StandardEnvironment yaml(String yaml) throws Exception {
    StandardEnvironment env = new StandardEnvironment();
    new YamlPropertySourceLoader()
        .load(
            "application.yml",
            new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)) {
              @Override
              public String getDescription() {
                return "application.yml";
              }
            })
        .forEach(env.getPropertySources()::addFirst);
    return env;
  }

  @Test
  void yamlMapsOneToOneOntoTheConfigurationKeysAndListsBecomeCommaLists() throws Exception {
    StandardEnvironment env =
        yaml(
            """
        tollgate:
          enabled: true
          client:
            key: header:X-Api-Key, ip
          limits:
            - 100/1m
            - 10000/24h rolling
          page-size:
            max: 500
          rules:
            reports:
              path: /api/reports
              limits: 10/1m
        """);
    Map<String, String> keys = new TollgateProperties(env).keys();
    assertEquals(
        Map.of(
            "client.key",
            "header:X-Api-Key, ip",
            "limits",
            "100/1m, 10000/24h rolling",
            "page-size.max",
            "500",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "10/1m"),
        keys);

    TollgateConfig config = new TollgateProperties(env).config();
    assertEquals(2, config.defaultRule().limits().size());
    assertEquals("reports", config.rules().get(0).name());
  }

  @Test
  void environmentVariablesWorkAsForAnyBootProperty() {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("TOLLGATE_LIMITS", "7/1m", "TOLLGATE_RULES_REPORTS_LIMITS", "2/1m")));
    Map<String, String> keys = new TollgateProperties(env).keys();
    assertEquals("7/1m", keys.get("limits"), keys.toString());
    assertEquals("2/1m", keys.get("rules.reports.limits"), keys.toString());
  }

  @Test
  void anErrorNamesTheKeyTheValueAndWhereItWasSet() throws Exception {
    StandardEnvironment env =
        yaml(
            """
        tollgate:
          rules:
            reports:
              path: /api/reports
              limits: 10/1x
        """);
    ConfigException e =
        assertThrows(ConfigException.class, () -> new TollgateProperties(env).config());
    assertEquals("rules.reports.limits", e.key());
    assertTrue(
        e.getMessage().startsWith("rules.reports.limits: '10/1x' is not a valid limit"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith("(Spring property tollgate.rules.reports.limits in application.yml - 5:15)"),
        e.getMessage());
  }

  @Test
  void theRedisUriComesFromSpringDataRedisUnlessGiven() {
    MockEnvironment env =
        new MockEnvironment()
            .withProperty("tollgate.store.type", "redis")
            .withProperty("spring.data.redis.host", "cache")
            .withProperty("spring.data.redis.password", "pw");
    assertEquals(
        "redis://pw@cache:6379/0", new TollgateProperties(env).keys().get("store.redis.uri"));
    env.setProperty("tollgate.store.redis.uri", "redis://other:6379");
    assertEquals("redis://other:6379", new TollgateProperties(env).keys().get("store.redis.uri"));
    assertFalse(
        new TollgateProperties(new MockEnvironment()).keys().containsKey("store.redis.uri"),
        "memory store: no Redis");
  }

  @Test
  void aBadDerivedRedisUriDoesNotPrintThePassword() {
    MockEnvironment env =
        new MockEnvironment()
            .withProperty("tollgate.store.type", "redis")
            .withProperty("spring.data.redis.url", "redis://user:secret@bad host:6379");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> dev.tollgate.core.Tollgate.create(new TollgateProperties(env).config()).close());
    ConfigException located = new TollgateProperties(env).located(e);
    assertEquals("store.redis.uri", located.key());
    assertFalse(located.getMessage().contains("secret"), located.getMessage());
    assertTrue(
        located.getMessage().endsWith("(built from spring.data.redis.*)"), located.getMessage());
  }

  @Test
  void principalInAnyClientKeyMovesTheFilterAfterSpringSecurity() {
    MockEnvironment env = new MockEnvironment();
    assertEquals(
        TollgateFilterOrder.EARLY,
        TollgateFilterOrder.of(Map.of("client.key", "header:X-Api-Key, ip"), env));
    assertEquals(
        -99, TollgateFilterOrder.of(Map.of("rules.admin.client.key", "principal, ip"), env));
    env.setProperty("spring.security.filter.order", "5");
    assertEquals(6, TollgateFilterOrder.of(Map.of("client.key", "principal"), env));
  }
}
