package dev.tollgate.redis;

import dev.tollgate.redis.Failure.Kind;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce client of a {@link RedisStore} and its one connection: commands fail fast while
 * disconnected, a lost connection is re-established at most once per connect timeout, and a
 * decision waits for a connection no longer than its deadline.
 */
final class Connector {

  private static final System.Logger LOG = System.getLogger("dev.tollgate.redis");

  /** Lettuce reconnects with exponential back-off up to this, so recovery is noticed within it. */
  private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  private final AbstractRedisClient client;
  private final ClientResources resources;
  private final boolean cluster;
  private final List<RedisURI> uris;
  private final long connectTimeoutNanos;
  private final AtomicReference<CompletableFuture<Connection>> connection = new AtomicReference<>();
  private final AtomicLong nextConnectAttempt = new AtomicLong();
  private volatile boolean closed;

  Connector(boolean cluster, List<RedisURI> uris, Duration timeout, Duration connectTimeout) {
    this.cluster = cluster;
    this.uris = uris;
    this.connectTimeoutNanos = connectTimeout.toNanos();
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    this.client =
        cluster
            ? clusterClient(resources, uris, socket, timeouts)
            : standaloneClient(resources, socket, timeouts);
  }

  private static RedisClusterClient clusterClient(
      ClientResources resources,
      List<RedisURI> uris,
      SocketOptions socket,
      TimeoutOptions timeouts) {
    RedisClusterClient c = RedisClusterClient.create(resources, uris);
    c.setOptions(
        ClusterClientOptions.builder()
            .socketOptions(socket)
            .timeoutOptions(timeouts)
            // Fail fast while disconnected instead of queueing commands that would run (and count)
            // after the request was already decided by the failure policy.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
            .build());
    return c;
  }

  private static RedisClient standaloneClient(
      ClientResources resources, SocketOptions socket, TimeoutOptions timeouts) {
    RedisClient c = RedisClient.create(resources);
    c.setOptions(
        ClientOptions.builder()
            .socketOptions(socket)
            .timeoutOptions(timeouts)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    return c;
  }

  /** The connection, waiting for it at most until {@code deadline}; starts a new attempt if due. */
  Connection connection(long deadline) {
    if (closed) {
      throw new Failure(Kind.OTHER, "the store is closed", null);
    }
    CompletableFuture<Connection> f = connection.get();
    if (f == null || f.isCompletedExceptionally()) {
      f = reconnectIfDue(f);
    }
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new Failure(Kind.CONNECTION, "still connecting to Redis", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(Kind.OTHER, "interrupted while connecting to Redis", e);
    } catch (ExecutionException e) {
      throw new Failure(Kind.CONNECTION, "cannot connect to Redis", e.getCause());
    }
  }

  /**
   * Without a connection ({@code failed} is the last attempt, or null): a new attempt if one is
   * due, else a failure at once.
   */
  private CompletableFuture<Connection> reconnectIfDue(
      @Nullable CompletableFuture<Connection> failed) {
    CompletableFuture<Connection> f = failed;
    long now = System.nanoTime();
    long due = nextConnectAttempt.get();
    // At most one attempt per connect timeout, whatever the request rate.
    if ((f == null || now - due >= 0)
        && nextConnectAttempt.compareAndSet(due, now + connectTimeoutNanos)) {
      CompletableFuture<Connection> next = connect();
      if (connection.compareAndSet(f, next)) {
        f = next;
      } else {
        next.thenAccept(c -> c.connection.closeAsync());
        f = connection.get();
      }
    } else if (f != null) {
      throw new Failure(Kind.CONNECTION, "not connected to Redis", causeOf(f));
    }
    if (f == null) {
      throw new Failure(Kind.CONNECTION, "not connected to Redis", null);
    }
    return f;
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<Connection> connect() {
    try {
      if (cluster) {
        RedisClusterClient c = (RedisClusterClient) client;
        // The asynchronous connect needs the topology first (the synchronous one loads it itself).
        return c.refreshPartitionsAsync()
            .toCompletableFuture()
            .thenCompose(v -> c.connectAsync(StringCodec.UTF8))
            .thenApply(conn -> new Connection(conn, conn.async()));
      }
      return ((RedisClient) client)
          .connectAsync(StringCodec.UTF8, uris.get(0))
          .toCompletableFuture()
          .thenApply(c -> new Connection(c, c.async()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Waits up to the connect timeout for the first connection, so the first requests find it. */
  void awaitFirstConnection() {
    CompletableFuture<Connection> f = connect();
    connection.set(f);
    nextConnectAttempt.set(System.nanoTime() + connectTimeoutNanos);
    try {
      f.get(connectTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Cannot connect to Redis at {0} yet ({1}); rules apply their"
              + " on-store-failure policy until it is reachable, and the connection is retried.",
          uris,
          String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
    }
  }

  private static @Nullable Throwable causeOf(CompletableFuture<?> f) {
    try {
      f.getNow(null);
      return null;
    } catch (RuntimeException e) {
      return e.getCause() != null ? e.getCause() : e;
    }
  }

  /** The connection if one is established now, without waiting; null while (re)connecting. */
  @Nullable Connection established() {
    CompletableFuture<Connection> f = connection.get();
    return f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.join();
  }

  boolean closed() {
    return closed;
  }

  /** Closes the connection and the client's threads. */
  void close() {
    closed = true;
    // Shutting the client down closes its connections.
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** What it connects to, for messages: {@code [cluster ]<uris>}. */
  @Override
  public String toString() {
    return (cluster ? "cluster " : "") + uris;
  }
}
