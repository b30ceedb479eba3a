package dev.tollgate.redis;

import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.LimitUsage;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreSlowException;
import dev.tollgate.core.store.StoreUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A store shared by every application server through Redis (or a fork such as Valkey): standalone,
 * Sentinel or Cluster. Each decision is one {@code EVALSHA} of a server-side script that checks and
 * consumes every limit of the request atomically, on the Redis server's clock ({@code TIME}), with
 * the same algorithms and results as {@link dev.tollgate.core.store.InMemoryStore}. A request Redis
 * has just rejected is answered the same way without Redis until its limits can reset ({@link
 * Builder#localRejections}, exact); {@linkplain Builder#lease quota leasing} is opt-in.
 *
 * <p>A decision never waits longer than {@linkplain Builder#timeout(Duration) the timeout} (default
 * 1 s). What happens when it cannot decide depends on why, because a slow Redis is not a missing
 * one:
 *
 * <ul>
 *   <li><b>Down</b>: the connection is refused or lost, or a request timed out after Redis had
 *       answered nothing for at least half the timeout (a frozen process, a partition). The store
 *       then counts as down, like an open circuit breaker: {@link #acquire} throws {@link
 *       StoreUnavailableException} at once, without asking Redis, and each rule's {@code
 *       on-store-failure} policy applies. Every {@value #PROBE_INTERVAL_MILLIS} ms one request
 *       probes Redis (half-open); the first answer closes the breaker. The connection is
 *       re-established in the background meanwhile.
 *   <li><b>Slow</b>: this request's answer missed the timeout although Redis kept answering others
 *       (a burst, a backlog). It throws {@link StoreSlowException}: the request is answered 503
 *       whatever the policy, because Redis may still count it, and admitting it uncounted could
 *       exceed the quota Redis is enforcing for every other request.
 *   <li><b>Error reply</b> (e.g. {@code OOM}, {@code READONLY}): {@link StoreUnavailableException},
 *       the policy applies to that request; the breaker stays as it is.
 * </ul>
 *
 * <pre>{@code
 * RateLimitStore store = RedisStore.builder("redis://redis.internal:6379").build();
 * Tollgate tollgate = Tollgate.builder(config).store(store).build();
 * }</pre>
 *
 * <p>Usually selected from configuration instead: {@code store.type=redis}, {@code
 * store.redis.uri=redis://redis.internal:6379}.
 */
public final class RedisStore implements RateLimitStore, SharedStore {

  /**
   * The longest a decision waits for Redis unless configured: 1 s. Long enough that a burst on a
   * busy machine is decided by Redis rather than by the failure policy; a Redis that is down costs
   * no wait at all once it is known to be down.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  /** How long establishing a connection may take unless configured: 1 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  /** The prefix of every key unless configured. */
  public static final String DEFAULT_KEY_PREFIX = "tollgate:";

  /** How many rejected clients a store answers without Redis unless configured. */
  public static final int DEFAULT_LOCAL_REJECTIONS = 10_000;

  private static final System.Logger LOG = System.getLogger("dev.tollgate.redis");

  /** Lettuce reconnects with exponential back-off up to this, so recovery is noticed within it. */
  private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** While Redis is down, one request asks it this often (the others do not wait at all). */
  static final long PROBE_INTERVAL_MILLIS = 500;

  /** With leasing on, how many requests (client, rules, cost) a server tracks at most. */
  static final int LEASED_REQUESTS = 10_000;

  private final AbstractRedisClient client;
  private final ClientResources resources;
  private final boolean cluster;
  private final List<RedisURI> uris;
  private final long timeoutNanos;
  private final long connectTimeoutNanos;
  private final KeyLayout keys;
  private final @Nullable Clock scriptClock;
  private final AtomicReference<CompletableFuture<Connection>> connection = new AtomicReference<>();
  private final AtomicLong nextConnectAttempt = new AtomicLong();
  private final LongAdder unavailable = new LongAdder();
  private final LongAdder lostCharges = new LongAdder();
  private final int expectedServers;

  /** When Redis last answered anything (System.nanoTime), recorded on the I/O thread. */
  private volatile long lastAnswer;

  private final Runnable markAnswer = () -> lastAnswer = System.nanoTime();

  /** The circuit breaker: true while Redis is known to be down. */
  private final AtomicBoolean down = new AtomicBoolean();

  private final AtomicLong nextProbe = new AtomicLong();
  private volatile boolean closed;

  /** Rejections repeated without Redis until the client's state can change; null when disabled. */
  private final @Nullable RejectedCache rejections;

  private final LongAdder localRejections = new LongAdder();

  /** Quota leases ({@link Builder#lease}); null when off, the default. */
  private final @Nullable Leases leases;

  private final LongAdder leasedAdmissions = new LongAdder();

  private RedisStore(Builder b, List<RedisURI> uris) {
    this.cluster = b.cluster;
    this.uris = uris;
    this.timeoutNanos = b.timeout.toNanos();
    this.connectTimeoutNanos = b.connectTimeout.toNanos();
    this.keys = new KeyLayout(b.keyPrefix);
    this.scriptClock = b.scriptClock;
    this.expectedServers = b.expectedServers;
    this.rejections = b.localRejections == 0 ? null : new RejectedCache(b.localRejections);
    this.leases = b.lease <= 1 ? null : new Leases(b.lease, LEASED_REQUESTS);
    this.lastAnswer = System.nanoTime();
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(b.connectTimeout).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(b.timeout);
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(resources, uris);
      c.setOptions(
          ClusterClientOptions.builder()
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              // Fail fast while disconnected instead of queueing commands that would run (and
              // count)
              // after the request was already decided by the failure policy.
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      .build())
              .build());
      this.client = c;
    } else {
      RedisClient c = RedisClient.create(resources);
      c.setOptions(
          ClientOptions.builder()
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      this.client = c;
    }
  }

  /**
   * Starts a store for {@code uri}: {@code redis://[user:password@]host[:port][/database]}, {@code
   * rediss://...} (TLS), {@code redis-sentinel://host[:port][,host2[:port2]]/[database]#master},
   * or, {@linkplain Builder#cluster(boolean) for a cluster}, seed nodes {@code
   * redis://host1:7000,host2:7001}.
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  @Override
  public AcquireResult acquire(AcquireRequest request) {
    long local = localMillis();
    // A lease spends request permits locally; a budget charged after the response must be asked of
    // Redis on every request, so such requests are never leased (looked at only when leasing is
    // on).
    @Nullable Leases leases =
        this.leases == null || chargedAfterResponse(request) ? null : this.leases;
    if (leases != null) {
      AcquireResult leased = leases.spend(request, local);
      if (leased != null) {
        leasedAdmissions.increment();
        return leased;
      }
    }
    if (rejections != null && request.cost() > 0) {
      AcquireResult known = rejections.answer(request, local);
      if (known != null) {
        localRejections.increment();
        return known;
      }
    }
    long start = System.nanoTime();
    if (down.get() && !probeDue(start)) {
      unavailable.increment();
      throw new StoreUnavailableException("Redis is down (waiting for the next probe)");
    }
    long deadline = start + timeoutNanos;
    try {
      int lease = leases == null ? 1 : leases.toAsk(request, local);
      int[] taken = {1};
      AcquireResult result = decide(request, connection(deadline), deadline, lease, taken);
      if (rejections != null) {
        rejections.record(request, result, local);
      }
      if (leases != null && result.admitted()) {
        leases.record(request, result, taken[0], local);
        if (taken[0] > 1) {
          result = Leases.asTaker(result, taken[0], request.cost());
        }
      }
      if (down.get() && down.compareAndSet(true, false)) {
        LOG.log(
            System.Logger.Level.INFO, "Redis at {0} answers again: shared limiting resumes.", uris);
      }
      return result;
    } catch (Failure e) {
      unavailable.increment();
      throw classify(e);
    }
  }

  /**
   * What a failure means: a timeout while Redis keeps answering other requests is slowness (the
   * request may still be counted); a timeout after Redis has answered nothing for at least half the
   * timeout, or a lost connection, is an outage. (Half, not all of it: a request sent just before
   * Redis froze saw a few answers at the start of its wait, yet Redis has been silent ever since.)
   */
  private StoreUnavailableException classify(Failure e) {
    if (e.kind == Kind.TIMEOUT && System.nanoTime() - lastAnswer < timeoutNanos / 2) {
      return new StoreSlowException(
          "Redis did not answer within "
              + timeoutNanos / 1_000_000
              + " ms (it is answering other requests, so it may still count this one)");
    }
    if (e.kind != Kind.OTHER) {
      nextProbe.set(System.nanoTime() + PROBE_INTERVAL_MILLIS * 1_000_000);
      if (!down.get() && down.compareAndSet(false, true)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "Redis at {0} is down ({1}); rules apply their on-store-failure"
                + " policy at once, without waiting for it, and one request probes it every {2} ms.",
            uris,
            e.getMessage(),
            PROBE_INTERVAL_MILLIS);
      }
    }
    return new StoreUnavailableException(e.getMessage(), e.getCause());
  }

  /**
   * While down: whether this request is the one that probes Redis now (at most one per interval).
   */
  private boolean probeDue(long now) {
    long due = nextProbe.get();
    // The probe's own failure sets the next due time; until then nobody else probes.
    return now - due >= 0
        && nextProbe.compareAndSet(due, now + timeoutNanos + PROBE_INTERVAL_MILLIS * 1_000_000);
  }

  /**
   * Whether Redis is known to be down now, so that decisions apply the failure policy without
   * waiting.
   */
  public boolean down() {
    return down.get();
  }

  @Override
  public int expectedServers() {
    return expectedServers;
  }

  /**
   * How many requests were rejected by this server without asking Redis, because Redis had already
   * rejected the same request and its limits could not have reset since. For metrics and tests.
   */
  public long localRejectionCount() {
    return localRejections.sum();
  }

  private static boolean chargedAfterResponse(AcquireRequest request) {
    for (Bucket b : request.buckets()) {
      if (b.requestsAfterResponse()) {
        return true;
      }
      for (Limit l : b.limits()) {
        if (l.unit().chargedAfterResponse()) {
          return true;
        }
      }
    }
    return false;
  }

  /** How many requests were admitted from a lease of this server, without asking Redis. */
  public long leasedAdmissionCount() {
    return leasedAdmissions.sum();
  }

  /**
   * How many clients' rejections are remembered now (bounded by {@link Builder#localRejections}).
   */
  int rejectionsRemembered() {
    return rejections == null ? 0 : rejections.size();
  }

  /**
   * How many decisions failed because Redis was unreachable, slow or answered with an error (each
   * then followed the rule's failure policy). For metrics.
   */
  public long unavailableCount() {
    return unavailable.sum();
  }

  // ---- charges after the response (issue #15): kept apart from acquire's path ----------------

  /**
   * Charges a completed request without waiting: one {@code EVALSHA} of {@link ChargeScript} per
   * client hash slot, sent on the connection as it is and never waited for. The stage fails (the
   * engine then logs and counts a lost charge) when Redis is down, not connected, or does not
   * answer within the timeout; nothing is retried, so a charge is never applied twice.
   */
  @Override
  public CompletionStage<Void> charge(ChargeRequest request) {
    CompletableFuture<Connection> f = connection.get();
    if (closed || down.get() || f == null || !f.isDone() || f.isCompletedExceptionally()) {
      lostCharges.increment();
      return CompletableFuture.failedFuture(
          new StoreUnavailableException(
              closed
                  ? "the store is closed"
                  : "Redis is down or not connected: the charge is dropped"));
    }
    Connection c = f.join();
    List<Bucket> buckets = request.buckets();
    if (rejections != null) {
      // A refund can lift a rejection this server remembers before its reset.
      rejections.forget(buckets);
    }
    int[] offsets = offsets(buckets);
    List<CompletableFuture<Object>> sent = new ArrayList<>();
    for (List<Integer> group : groups(buckets)) {
      List<Bucket> part = new ArrayList<>();
      if (group.isEmpty()) {
        part = buckets;
      } else {
        for (int b : group) {
          part.add(buckets.get(b));
        }
      }
      long[] amounts = request.amounts();
      if (!group.isEmpty()) {
        // This group's amounts, in its buckets' order.
        int n = 0;
        for (Bucket b : part) {
          n += b.limits().size();
        }
        amounts = new long[n];
        int i = 0;
        for (int b : group) {
          for (int l = 0; l < buckets.get(b).limits().size(); l++) {
            amounts[i++] = request.amounts()[offsets[b] + l];
          }
        }
      }
      if (allZero(amounts)) {
        continue;
      }
      String[] k = keys.keys(part);
      String[] args = ChargeScript.args(part, amounts, 0, request.admittedAtMillis(), now());
      sent.add(evalCharge(c, k, args));
    }
    return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                lostCharges.increment();
              } else {
                markAnswer.run();
              }
            });
  }

  @Override
  public boolean charges() {
    return true;
  }

  /** How many charges after the response were lost (Redis down, slow or failing). For metrics. */
  public long lostChargeCount() {
    return lostCharges.sum();
  }

  private CompletableFuture<Object> evalCharge(Connection c, String[] k, String[] args) {
    try {
      return c.commands
          .<Object>evalsha(ChargeScript.SHA1, ScriptOutputType.INTEGER, k, args)
          .toCompletableFuture()
          .handle(
              (r, e) -> {
                if (e == null) {
                  return CompletableFuture.completedFuture(r);
                }
                Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RedisNoScriptException) {
                  // The script cache is empty: EVAL sends and caches it (once).
                  return c.commands
                      .<Object>eval(ChargeScript.SOURCE, ScriptOutputType.INTEGER, k, args)
                      .toCompletableFuture();
                }
                return CompletableFuture.<Object>failedFuture(cause);
              })
          .thenCompose(x -> x);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static boolean allZero(long[] amounts) {
    for (long a : amounts) {
      if (a != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether a connection to Redis is established now (it may still be reconnecting). */
  public boolean connected() {
    CompletableFuture<Connection> f = connection.get();
    return f != null && f.isDone() && !f.isCompletedExceptionally() && f.join().connection.isOpen();
  }

  /** Closes the connection and the client's threads. */
  @Override
  public void close() {
    closed = true;
    // Shutting the client down closes its connections.
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "RedisStore[" + (cluster ? "cluster " : "") + uris + "]";
  }

  /**
   * Decides {@code request} in Redis, taking up to {@code lease} requests' cost if admitted (one
   * script call only: a request spread over cluster slots takes one); {@code taken[0]} is set to
   * how many were taken.
   */
  private AcquireResult decide(
      AcquireRequest request, Connection c, long deadline, int lease, int[] taken) {
    List<Bucket> buckets = request.buckets();
    List<List<Integer>> groups = groups(buckets);
    if (groups.size() == 1) {
      List<Object> reply =
          run(
              c,
              keys.keys(buckets),
              AcquireScript.args(buckets, request.cost(), now(), false, lease),
              deadline);
      taken[0] = AcquireScript.taken(reply);
      List<LimitUsage> usages = new ArrayList<>(request.limitCount());
      AcquireScript.usages(reply, buckets, usages);
      return new AcquireResult(
          AcquireScript.admitted(reply), AcquireScript.nowMillis(reply), usages);
    }
    // Cluster, and the rules identify the client differently (e.g. by IP and by API key): the keys
    // live in different slots, so each client's buckets are decided by their own call, in order.
    // Each call is atomic; a later rejection leaves the earlier calls' consumption in place, so the
    // limits err on the strict side by at most one request's cost.
    LimitUsage[] usages = new LimitUsage[request.limitCount()];
    int[] offsets = offsets(buckets);
    boolean admitted = true;
    long now = 0;
    for (int g = 0; g < groups.size(); g++) {
      List<Bucket> part = new ArrayList<>();
      for (int b : groups.get(g)) {
        part.add(buckets.get(b));
      }
      List<Object> reply =
          run(
              c,
              keys.keys(part),
              AcquireScript.args(part, request.cost(), now(), !admitted, 1),
              deadline);
      List<LimitUsage> partUsages = new ArrayList<>();
      AcquireScript.usages(reply, part, partUsages);
      admitted &= AcquireScript.admitted(reply);
      if (g == 0) {
        now = AcquireScript.nowMillis(reply);
      }
      int u = 0;
      for (int b : groups.get(g)) {
        for (int l = 0; l < buckets.get(b).limits().size(); l++) {
          usages[offsets[b] + l] = partUsages.get(u++);
        }
      }
    }
    return new AcquireResult(admitted, now, Arrays.asList(usages));
  }

  /** Bucket indexes grouped by the slot their keys need: one group unless this is a cluster. */
  private List<List<Integer>> groups(List<Bucket> buckets) {
    if (!cluster || buckets.size() == 1) {
      return List.of(List.of());
    }
    Map<String, List<Integer>> byClient = new LinkedHashMap<>();
    for (int i = 0; i < buckets.size(); i++) {
      byClient.computeIfAbsent(buckets.get(i).client(), k -> new ArrayList<>()).add(i);
    }
    return byClient.size() == 1 ? List.of(List.of()) : new ArrayList<>(byClient.values());
  }

  private static int[] offsets(List<Bucket> buckets) {
    int[] offsets = new int[buckets.size()];
    int n = 0;
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = n;
      n += buckets.get(i).limits().size();
    }
    return offsets;
  }

  private @Nullable Long now() {
    return scriptClock == null ? null : scriptClock.millis();
  }

  /**
   * This server's clock for what it decides without Redis: monotonic, so a wall-clock step cannot
   * stretch a cached rejection (tests: the script clock, which is then Redis' clock too).
   */
  private long localMillis() {
    return scriptClock == null ? System.nanoTime() / 1_000_000 : scriptClock.millis();
  }

  private List<Object> run(Connection c, String[] k, String[] args, long deadline) {
    try {
      return await(
          c.commands.evalsha(AcquireScript.SHA1, ScriptOutputType.MULTI, k, args), deadline);
    } catch (NoScriptException e) {
      // The script cache is empty (Redis restarted, failed over or SCRIPT FLUSH): EVAL runs the
      // script and caches it again, so this costs one extra round trip once.
      return await(
          c.commands.eval(AcquireScript.SOURCE, ScriptOutputType.MULTI, k, args), deadline);
    } catch (Failure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Failure(Kind.CONNECTION, "Redis rejected the command", e);
    }
  }

  private List<Object> await(RedisFuture<List<Object>> f, long deadline) {
    f.thenRun(markAnswer);
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new Failure(Kind.TIMEOUT, "Redis did not answer in time", null);
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new Failure(Kind.OTHER, "interrupted while waiting for Redis", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RedisNoScriptException) {
        throw new NoScriptException();
      }
      if (cause instanceof RedisCommandTimeoutException) {
        throw new Failure(Kind.TIMEOUT, "Redis did not answer in time", null);
      }
      // An error reply means Redis is there; anything else (closed, reset, not connected) means it
      // is not.
      throw new Failure(
          cause instanceof RedisCommandExecutionException ? Kind.OTHER : Kind.CONNECTION,
          "Redis failed",
          cause);
    }
  }

  /** The connection, waiting for it at most until {@code deadline}; starts a new attempt if due. */
  private Connection connection(long deadline) {
    if (closed) {
      throw new Failure(Kind.OTHER, "the store is closed", null);
    }
    CompletableFuture<Connection> f = connection.get();
    if (f == null || f.isCompletedExceptionally()) {
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
    }
    if (f == null) {
      throw new Failure(Kind.CONNECTION, "not connected to Redis", null);
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
  private void awaitFirstConnection() {
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

  /**
   * Why a decision failed, which decides whether Redis counts as down: a timeout (down only if
   * Redis has been silent for half the timeout), a refused, lost or missing connection (down), or
   * anything else, e.g. an error reply (Redis is there: the policy applies to this request only).
   */
  private enum Kind {
    TIMEOUT,
    CONNECTION,
    OTHER
  }

  /** A failure inside the store, turned into the public exception by {@link #classify}. */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Kind kind;

    Failure(Kind kind, String message, @Nullable Throwable cause) {
      super(cause == null ? message : message + ": " + cause, cause, false, false);
      this.kind = kind;
    }
  }

  /** An established connection and its scripting commands (standalone or cluster). */
  private static final class Connection {
    final StatefulConnection<String, String> connection;
    final RedisScriptingAsyncCommands<String, String> commands;

    Connection(
        StatefulConnection<String, String> connection,
        RedisScriptingAsyncCommands<String, String> commands) {
      this.connection = connection;
      this.commands = commands;
    }
  }

  /** NOSCRIPT: the script must be sent again. */
  private static final class NoScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoScriptException() {
      super(null, null, false, false);
    }
  }

  /** Configures a {@link RedisStore}; every setter checks its argument at once. */
  public static final class Builder {
    private final String uri;
    private boolean cluster;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private int expectedServers = 1;
    private int localRejections = DEFAULT_LOCAL_REJECTIONS;
    private int lease;
    private @Nullable Clock scriptClock;

    private Builder(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri").trim();
    }

    /** Whether the URI names seed nodes of a Redis Cluster. Default value is {@code false}. */
    public Builder cluster(boolean isCluster) {
      this.cluster = isCluster;
      return this;
    }

    /**
     * The longest a decision waits for Redis, connecting included: the bound on how long Redis can
     * delay a request. A request whose answer misses it while Redis answers others is answered 503
     * (it may still be counted); if Redis has been silent for at least half of it, Redis counts as
     * down and the failure policy applies. From 1 ms to 60 s. Default value is 1 s.
     */
    public Builder timeout(Duration value) {
      this.timeout = checked(value, "timeout");
      return this;
    }

    /** The longest a connection attempt takes, from 1 ms to 60 s. Default value is 1 s. */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = checked(value, "connect timeout");
      return this;
    }

    /**
     * The prefix of every key, to share a Redis with other data; up to 64 characters without <code>
     * {</code> or <code>}</code> (they would change the hash tag). Default value is {@value
     * RedisStore#DEFAULT_KEY_PREFIX}.
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.length() > 64 || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException(
            "key prefix must be at most 64 characters without '{' or '}' but was '" + prefix + "'");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * How many servers share this Redis. While it is down, rules with {@code
     * on-store-failure=local} count on each server with their quotas divided by this (rounded down,
     * at least 1), so that the servers together stay within the shared quota. From 1 to 10,000.
     * Default value is 1.
     */
    public Builder expectedServers(int servers) {
      if (servers < 1 || servers > 10_000) {
        throw new IllegalArgumentException(
            "expected servers must be from 1 to 10000 but was " + servers);
      }
      this.expectedServers = servers;
      return this;
    }

    /**
     * How many rejected clients this server remembers, to answer their next requests 429 without
     * asking Redis until their limits can reset (exact: see the README); 0 asks Redis for every
     * request. From 0 to 1,000,000. Default value is {@value RedisStore#DEFAULT_LOCAL_REJECTIONS}.
     */
    public Builder localRejections(int clients) {
      if (clients < 0 || clients > 1_000_000) {
        throw new IllegalArgumentException(
            "local rejections must be from 0 to 1000000 but was " + clients);
      }
      this.localRejections = clients;
      return this;
    }

    /**
     * Quota leasing, off by default (0): a server that sees the same request again within a second
     * takes up to this many requests' worth of its limits in one call and admits the next ones from
     * memory, so a busy client costs Redis about one call per {@code permits} requests. The price,
     * stated and tested: in any window of a rolling window or token bucket, all servers together
     * may admit up to {@code (permits - 1) × servers} more than the quota (a fixed window never
     * more), and permits a server took but did not use stay counted until their window ends. From 0
     * to 1,000 (0 and 1 mean off).
     */
    public Builder lease(int permits) {
      if (permits < 0 || permits > 1_000) {
        throw new IllegalArgumentException("lease must be from 0 to 1000 but was " + permits);
      }
      this.lease = permits;
      return this;
    }

    /** Tests only: decide at this clock's time instead of the Redis server's {@code TIME}. */
    Builder scriptClock(Clock clock) {
      this.scriptClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the store and connects, waiting up to the connect timeout. An unreachable Redis is
     * not an error here: it is logged, and decisions follow the failure policy until it is back.
     *
     * @throws IllegalArgumentException if the URI cannot be parsed
     */
    public RedisStore build() {
      List<RedisURI> uris = parse(uri, cluster);
      for (RedisURI u : uris) {
        u.setTimeout(timeout);
      }
      RedisStore store = new RedisStore(this, uris);
      store.awaitFirstConnection();
      return store;
    }

    /** Parses the URI without connecting. */
    void validate() {
      parse(uri, cluster);
    }

    private static List<RedisURI> parse(String uri, boolean cluster) {
      try {
        if (cluster) {
          List<RedisURI> seeds = RedisClusterURIUtil.toRedisURIs(URI.create(uri));
          if (seeds.isEmpty()) {
            throw new IllegalArgumentException("names no node");
          }
          return seeds;
        }
        return List.of(RedisURI.create(uri));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "'"
                + uri
                + "' is not a Redis URI (expected e.g. redis://localhost:6379,"
                + " rediss://host:6380 or redis-sentinel://host:26379#mymaster): "
                + e.getMessage(),
            e);
      }
    }

    private static Duration checked(Duration value, String what) {
      Objects.requireNonNull(value, what);
      if (value.compareTo(Duration.ofMillis(1)) < 0
          || value.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException(
            what + " must be from 1ms to 60s but was " + value.toMillis() + "ms");
      }
      return value;
    }
  }

  /** The URI for messages: a password never reaches a log. */
  static @Nullable String withoutPassword(@Nullable String uri) {
    return uri == null ? null : uri.replaceAll("(?<=://)[^@/]*@", "***@");
  }
}
