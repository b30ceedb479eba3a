package dev.tollgate.redis;

import dev.tollgate.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real redis-server per test class and an admin connection to it, the setup the redis-store
 * tests share; register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
 * private static final RedisCommands<String, String> redis = server.admin();
 * }</pre>
 *
 * The server starts before the class's {@code @BeforeAll} methods and stops after its
 * {@code @AfterAll} methods. It is not flushed between tests: a test class that needs an empty
 * server flushes it itself, as it says.
 */
final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

  private final Function<List<String>, RedisServer> launcher;
  private final List<String> args;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  /** A plain server. */
  RedisServerExtension() {
    this(RedisServer::start, List.of());
  }

  private RedisServerExtension(Function<List<String>, RedisServer> launcher, List<String> args) {
    this.launcher = launcher;
    this.args = args;
  }

  /** A server in cluster mode serving no slot yet (see {@link RedisServer#startClusterNode()}). */
  static RedisServerExtension clusterNode() {
    return new RedisServerExtension(ignored -> RedisServer.startClusterNode(), List.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = launcher.apply(args);
    client = RedisClient.create(server.uri());
    connection = client.connect();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (connection != null) {
        connection.close();
      }
      if (client != null) {
        client.shutdown();
      }
    } finally {
      connection = null;
      client = null;
      if (server != null) {
        server.close();
        server = null;
      }
    }
  }

  /** The running server (to stop, pause or restart it). */
  RedisServer server() {
    if (server == null) {
      throw new IllegalStateException("the redis-server runs only while the test class runs");
    }
    return server;
  }

  String uri() {
    return server().uri();
  }

  int port() {
    return server().port();
  }

  /**
   * The admin connection's synchronous commands. A stand-in that reaches the connection of the
   * moment, so that a test class can keep it in a static final field set before the server starts.
   */
  @SuppressWarnings("unchecked")
  RedisCommands<String, String> admin() {
    return (RedisCommands<String, String>)
        Proxy.newProxyInstance(
            RedisCommands.class.getClassLoader(),
            new Class<?>[] {RedisCommands.class},
            (proxy, method, methodArgs) -> {
              if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("toString")
                    ? "admin commands of " + this
                    : method.invoke(this, methodArgs);
              }
              if (connection == null) {
                throw new IllegalStateException(
                    "the admin connection is open only while the test class runs");
              }
              try {
                return method.invoke(connection.sync(), methodArgs);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public String toString() {
    return server == null ? "redis-server (stopped)" : "redis-server at " + server.uri();
  }
}
