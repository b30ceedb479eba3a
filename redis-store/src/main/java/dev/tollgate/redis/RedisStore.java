package dev.tollgate.redis;

import dev.tollgate.core.Clock;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.ChargeRequest;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreSlowException;
import dev.tollgate.core.store.StoreUnavailableException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A store shared by every application server through Redis (or a fork such as Valkey): standalone,
 * Sentinel or Cluster. Each decision is one {@code EVALSHA} of a server-side script that checks and
 * consumes every limit of the request atomically, on the Redis server's clock ({@code TIME}), with
 * the same algorithms and results as {@link dev.tollgate.core.store.InMemoryStore}; under load,
 * decisions arriving while earlier calls are in flight share one call ({@link Builder#coalesce}). A
 * request Redis has just rejected is answered the same way without Redis until its limits can reset
 * ({@link Builder#localRejections}, exact); {@linkplain Builder#lease quota leasing} is opt-in.
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

  /** While Redis is down, one request asks it this often (the others do not wait at all). */
  static final long PROBE_INTERVAL_MILLIS = 500;

  /** With leasing on, how many requests (client, rules, cost) a server tracks at most. */
  static final int LEASED_REQUESTS = 10_000;

  private final long timeoutNanos;
  private final @Nullable Clock scriptClock;
  private final int expectedServers;
  private final Connector connector;
  private final Breaker breaker;
  private final Decider decider;
  private final LocalAnswers answers;
  private final ChargeSender charges;
  private final LongAdder unavailable = new LongAdder();

  private RedisStore(Builder b, List<RedisURI> uris) {
    this.timeoutNanos = b.timeout.toNanos();
    this.scriptClock = b.scriptClock;
    this.expectedServers = b.expectedServers;
    KeyLayout keys = new KeyLayout(b.keyPrefix);
    this.answers =
        new LocalAnswers(
            b.localRejections == 0 ? null : new RejectedCache(b.localRejections),
            b.lease <= 1 ? null : new Leases(b.lease, LEASED_REQUESTS));
    this.breaker = new Breaker(uris, timeoutNanos);
    this.connector = new Connector(b.cluster, uris, b.timeout, b.connectTimeout);
    this.decider = new Decider(keys, b.cluster, scriptClock, breaker.markAnswer, b.coalesce);
    this.charges = new ChargeSender(connector, breaker, answers, keys, b.cluster, scriptClock);
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
    boolean leasable = answers.leasable(request);
    AcquireResult known = answers.answer(request, leasable, local);
    if (known != null) {
      return known;
    }
    long start = System.nanoTime();
    if (breaker.down() && !breaker.probeDue(start)) {
      unavailable.increment();
      throw new StoreUnavailableException("Redis is down (waiting for the next probe)");
    }
    long deadline = start + timeoutNanos;
    try {
      int lease = answers.toAsk(request, leasable, local);
      int[] taken = {1};
      Connection c = connector.connection(deadline);
      Leases.Renewal renewal = answers.renewal(request, lease, local);
      AcquireResult renewed =
          renewal == null ? null : decider.renew(request, c, deadline, renewal, taken);
      AcquireResult result;
      if (renewal != null && renewed != null) {
        result = answers.learnRenewal(request, renewed, taken[0], local, renewal.syncedMillis());
      } else {
        result = decider.decide(request, c, deadline, lease, taken);
        result = answers.learn(request, leasable, result, taken[0], local);
      }
      breaker.answered();
      return result;
    } catch (Failure e) {
      unavailable.increment();
      throw breaker.classify(e);
    }
  }

  /**
   * This server's clock for what it decides without Redis: monotonic, so a wall-clock step cannot
   * stretch a cached rejection (tests: the script clock, which is then Redis' clock too).
   */
  private long localMillis() {
    return scriptClock == null ? System.nanoTime() / 1_000_000 : scriptClock.millis();
  }

  /**
   * Whether Redis is known to be down now, so that decisions apply the failure policy without
   * waiting.
   */
  public boolean down() {
    return breaker.down();
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
    return answers.localRejectionCount();
  }

  /** How many requests were admitted from a lease of this server, without asking Redis. */
  public long leasedAdmissionCount() {
    return answers.leasedAdmissionCount();
  }

  /**
   * How many clients' rejections are remembered now (bounded by {@link Builder#localRejections}).
   */
  int rejectionsRemembered() {
    return answers.rejectionsRemembered();
  }

  /**
   * How many decisions failed because Redis was unreachable, slow or answered with an error (each
   * then followed the rule's failure policy). For metrics.
   */
  public long unavailableCount() {
    return unavailable.sum();
  }

  /**
   * Charges a completed request without waiting: one {@code EVALSHA} of {@link ChargeScript} per
   * client hash slot, sent on the connection as it is and never waited for. The stage fails (the
   * engine then logs and counts a lost charge) when Redis is down, not connected, or does not
   * answer within the timeout; nothing is retried, so a charge is never applied twice.
   */
  @Override
  public CompletionStage<Void> charge(ChargeRequest request) {
    return charges.charge(request);
  }

  @Override
  public boolean charges() {
    return true;
  }

  /** How many charges after the response were lost (Redis down, slow or failing). For metrics. */
  public long lostChargeCount() {
    return charges.lostChargeCount();
  }

  /** Whether a connection to Redis is established now (it may still be reconnecting). */
  public boolean connected() {
    Connection c = connector.established();
    return c != null && c.connection.isOpen();
  }

  /** Closes the connection and the client's threads. */
  @Override
  public void close() {
    connector.close();
  }

  @Override
  public String toString() {
    return "RedisStore[" + connector + "]";
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
    private boolean coalesce = true;
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

    /**
     * Whether decisions that arrive while earlier script calls are in flight go to Redis together,
     * as one script call that decides them one after another, each as exactly as alone: fewer calls
     * under load, for the same answers. Applies to requests with one fixed window counted at
     * decision (the most common rule) on a standalone or Sentinel Redis; other requests, and a
     * cluster, send a call per decision. A decision is sent at once while fewer than two calls are
     * in flight, so coalescing adds no latency at low load. Default value is {@code true}.
     */
    public Builder coalesce(boolean enabled) {
      this.coalesce = enabled;
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
      store.connector.awaitFirstConnection();
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
