package dev.tollgate.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Tollgate;
import dev.tollgate.redis.RedisStore;
import dev.tollgate.spring.boot.testapp.TestApplication;
import dev.tollgate.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code tollgate.store.type=redis} and nothing else about Redis: the store connects to the Redis
 * of the application's {@code spring.data.redis.*} (host, port, password, database), a real
 * redis-server that requires a password.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tollgate.store.type=redis",
      "tollgate.limits=3/1h token-bucket",
      // Generous for a busy CI machine; the defaults (50ms, 1s) are for production.
      "tollgate.store.redis.timeout=5s",
      "tollgate.store.redis.connect-timeout=10s"
    })
class RedisFromSpringDataTest {

  private static final String PASSWORD = "s3cr@t/pw d";
  private static final RedisServer REDIS = RedisServer.start(List.of("--requirepass", PASSWORD));

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.host", () -> "127.0.0.1");
    registry.add("spring.data.redis.port", REDIS::port);
    registry.add("spring.data.redis.password", () -> PASSWORD);
    registry.add("spring.data.redis.database", () -> 3);
  }

  @AfterAll
  static void stopRedis() {
    REDIS.close();
  }

  @LocalServerPort int port;

  @Autowired Tollgate tollgate;

  @Test
  void countsInTheApplicationsRedis() throws Exception {
    assertEquals("redis", tollgate.config().storeType());
    assertTrue(
        ((RedisStore) tollgate.store()).connected(),
        "connected to the redis-server of spring.data.redis.*");
    Http http = new Http(port);
    String key = UUID.randomUUID().toString();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = http.get("/api/items", key);
      assertEquals(200, r.statusCode());
      assertTrue(
          Http.header(r, "RateLimit").startsWith("\"hour\";r=" + (3 - i) + ";"),
          Http.header(r, "RateLimit"));
    }
    assertEquals(429, http.get("/api/items", key).statusCode());

    RedisURI uri =
        RedisURI.builder()
            .withHost("127.0.0.1")
            .withPort(REDIS.port())
            .withPassword(PASSWORD.toCharArray())
            .withDatabase(3)
            .build();
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<String> keys = connection.sync().keys("tollgate:*");
      assertEquals(1, keys.size(), "the client's token bucket, in database 3: " + keys);
      assertTrue(keys.get(0).startsWith("tollgate:{key:"), keys.get(0));
    } finally {
      client.shutdown();
    }
  }
}
