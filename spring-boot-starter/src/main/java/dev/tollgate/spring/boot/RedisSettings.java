package dev.tollgate.spring.boot;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The application's Redis connection ({@code spring.data.redis.*}) as the Redis store's URI, for
 * {@code tollgate.store.type=redis} without {@code tollgate.store.redis.uri}. Read with Boot's own
 * {@link RedisProperties}, so its names and defaults are Boot's; spring-data-redis is not needed.
 */
final class RedisSettings {

  private static final String TYPE = "store.type";
  private static final String URI = "store.redis.uri";
  private static final String CLUSTER = "store.redis.cluster";

  private RedisSettings() {}

  /**
   * Adds {@code store.redis.uri} (and {@code store.redis.cluster}) if the Redis store is chosen
   * without them.
   */
  static void fill(Map<String, String> keys, Environment environment) {
    if (!wanted(keys)) {
      return;
    }
    RedisProperties redis =
        Binder.get(environment).bindOrCreate("spring.data.redis", RedisProperties.class);
    boolean cluster = redis.getCluster() != null && !isEmpty(redis.getCluster().getNodes());
    keys.put(URI, uri(redis));
    if (cluster) {
      keys.putIfAbsent(CLUSTER, "true");
    }
  }

  /** True if {@code key}'s value was built here from {@code spring.data.redis.*}. */
  static boolean derived(String key, Environment environment) {
    if (!URI.equals(key)) {
      return false;
    }
    Map<String, String> keys = new HashMap<>();
    keys.put(TYPE, environment.getProperty(TollgateProperties.PREFIX + "." + TYPE));
    keys.put(URI, environment.getProperty(TollgateProperties.PREFIX + "." + URI));
    return wanted(keys);
  }

  private static boolean wanted(Map<String, String> keys) {
    String type = keys.get(TYPE);
    String uri = keys.get(URI);
    return type != null && type.trim().equals("redis") && (uri == null || uri.isBlank());
  }

  /**
   * Lettuce's URI syntax for Boot's settings: {@code url} as given; else Sentinel ({@code
   * redis-sentinel://nodes/db#master}), Cluster ({@code redis://seed1,seed2}) or one server ({@code
   * redis[s]://host:port/db}), with the username and password (percent-encoded).
   */
  static String uri(RedisProperties redis) {
    if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
      return redis.getUrl().trim();
    }
    boolean ssl = redis.getSsl() != null && redis.getSsl().isEnabled();
    String credentials = credentials(redis.getUsername(), redis.getPassword());
    RedisProperties.Sentinel sentinel = redis.getSentinel();
    if (sentinel != null && sentinel.getMaster() != null && !isEmpty(sentinel.getNodes())) {
      return (ssl ? "rediss-sentinel://" : "redis-sentinel://")
          + credentials
          + String.join(",", sentinel.getNodes())
          + "/"
          + redis.getDatabase()
          + "#"
          + sentinel.getMaster();
    }
    String scheme = ssl ? "rediss://" : "redis://";
    if (redis.getCluster() != null && !isEmpty(redis.getCluster().getNodes())) {
      return scheme + credentials + String.join(",", redis.getCluster().getNodes());
    }
    String host = redis.getHost() == null ? "localhost" : redis.getHost();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return scheme + credentials + host + ":" + redis.getPort() + "/" + redis.getDatabase();
  }

  /** The URI for messages. */
  static String withoutPassword(String uri) {
    return uri.replaceAll("(?<=://)[^@/]*@", "***@");
  }

  private static String credentials(String username, String password) {
    if (password == null || password.isEmpty()) {
      return "";
    }
    String user = username == null || username.isEmpty() ? "" : encode(username) + ":";
    return user + encode(password) + "@";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean isEmpty(List<String> list) {
    return list == null || list.isEmpty();
  }
}
