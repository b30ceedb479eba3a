package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code store.type=redis} and its keys, checked before anything connects. */
class RedisStoreProviderTest {

  @Test
  void storeTypeRedisSelectsTheRedisStoreThroughTheServiceLoader() {
    try (Tollgate t =
        Tollgate.create(
            config(
                Map.of(
                    "store.redis.uri",
                    "redis://127.0.0.1:1",
                    "store.redis.connect-timeout",
                    "50ms")))) {
      assertTrue(t.store() instanceof RedisStore, t.store().toString());
    }
  }

  @Test
  void theUriIsRequired() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Tollgate.create(config(Map.of())));
    assertEquals("store.redis.uri", e.key());
  }

  @Test
  void anUnparsableUriIsReportedAgainstItsKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> new RedisStoreProvider().create(Map.of("redis.uri", "http://nowhere"), null));
    assertEquals("store.redis.uri", e.key());
  }

  @Test
  void timeoutsTakeMillisecondsOrSecondsWithinBounds() {
    RedisStoreProvider.builder(
        Map.of("redis.uri", "redis://h", "redis.timeout", "80ms", "redis.connect-timeout", "2s"));
    for (String bad : new String[] {"50", "0ms", "61s", "fast", "1m"}) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () ->
                  RedisStoreProvider.builder(
                      Map.of("redis.uri", "redis://h", "redis.timeout", bad)),
              bad);
      assertEquals("store.redis.timeout", e.key());
    }
  }

  @Test
  void aKeyPrefixWithABraceIsRejectedBecauseItWouldMoveTheHashTag() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RedisStoreProvider.builder(
                    Map.of("redis.uri", "redis://h", "redis.key-prefix", "app{1}:")));
    assertEquals("store.redis.key-prefix", e.key());
  }

  @Test
  void clusterTakesTrueOrFalseAndSeedNodes() {
    RedisStoreProvider.builder(
        Map.of("redis.uri", "redis://h1:7000,h2:7001", "redis.cluster", "true"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RedisStoreProvider.builder(
                    Map.of("redis.uri", "redis://h", "redis.cluster", "yes")));
    assertEquals("store.redis.cluster", e.key());
  }

  @Test
  void expectedServersTakesAWholeNumberFromOne() {
    RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.expected-servers", "3"));
    for (String bad : new String[] {"0", "-1", "three", "1.5", "10001"}) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () ->
                  RedisStoreProvider.builder(
                      Map.of("redis.uri", "redis://h", "redis.expected-servers", bad)),
              bad);
      assertEquals("store.redis.expected-servers", e.key());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void leaseTakesAWholeNumberFromZeroToAThousand() {
    RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.lease", "10"));
    RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.lease", " 0 "));
    for (String bad : new String[] {"-1", "ten", "1.5", "1001", ""}) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () ->
                  RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.lease", bad)),
              bad);
      assertEquals("store.redis.lease", e.key());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void coalesceTakesTrueOrFalse() {
    RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.coalesce", "false"));
    RedisStoreProvider.builder(Map.of("redis.uri", "redis://h", "redis.coalesce", " TRUE "));
    for (String bad : new String[] {"no", "0", ""}) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () ->
                  RedisStoreProvider.builder(
                      Map.of("redis.uri", "redis://h", "redis.coalesce", bad)),
              bad);
      assertEquals("store.redis.coalesce", e.key());
    }
  }

  @Test
  void anUnknownStoreKeyIsAConfigurationError() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Tollgate.create(
                    config(
                        Map.of(
                            "store.redis.uri",
                            "redis://127.0.0.1:1",
                            "store.redis.timout",
                            "50ms"))));
    assertEquals("store.redis.timout", e.key());
  }

  private static TollgateConfig config(Map<String, String> store) {
    Map<String, String> p = new java.util.HashMap<>(store);
    p.put("limits", "5/1m");
    p.put("store.type", "redis");
    return TollgateConfig.parse(p);
  }
}
