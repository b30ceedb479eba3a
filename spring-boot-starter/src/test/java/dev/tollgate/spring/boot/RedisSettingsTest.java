package dev.tollgate.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;

/** Boot's Redis settings as the URI the Redis store parses (Lettuce's syntax). */
class RedisSettingsTest {

  @Test
  void standaloneWithCredentialsDatabaseAndSsl() {
    RedisProperties p = new RedisProperties();
    assertEquals("redis://localhost:6379/0", RedisSettings.uri(p));
    p.setHost("redis.internal");
    p.setPort(6380);
    p.setUsername("app");
    p.setPassword("p@ss word");
    p.setDatabase(2);
    p.getSsl().setEnabled(true);
    assertEquals("rediss://app:p%40ss%20word@redis.internal:6380/2", RedisSettings.uri(p));
    assertEquals(
        "rediss://***@redis.internal:6380/2", RedisSettings.withoutPassword(RedisSettings.uri(p)));
  }

  @Test
  void urlWinsAsBootDoes() {
    RedisProperties p = new RedisProperties();
    p.setUrl("redis://user:pw@cache:6379/1");
    p.setHost("ignored");
    assertEquals("redis://user:pw@cache:6379/1", RedisSettings.uri(p));
  }

  @Test
  void sentinelAndCluster() {
    RedisProperties sentinel = new RedisProperties();
    sentinel.setSentinel(new RedisProperties.Sentinel());
    sentinel.getSentinel().setMaster("mymaster");
    sentinel.getSentinel().setNodes(List.of("s1:26379", "s2:26379"));
    sentinel.setPassword("pw");
    assertEquals("redis-sentinel://pw@s1:26379,s2:26379/0#mymaster", RedisSettings.uri(sentinel));

    RedisProperties cluster = new RedisProperties();
    cluster.setCluster(new RedisProperties.Cluster());
    cluster.getCluster().setNodes(List.of("n1:7000", "n2:7001"));
    assertEquals("redis://n1:7000,n2:7001", RedisSettings.uri(cluster));
  }

  @Test
  void ipv6HostIsBracketed() {
    RedisProperties p = new RedisProperties();
    p.setHost("::1");
    assertEquals("redis://[::1]:6379/0", RedisSettings.uri(p));
  }
}
