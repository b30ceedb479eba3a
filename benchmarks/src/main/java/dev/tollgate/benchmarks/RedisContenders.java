package dev.tollgate.benchmarks;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.redis.RedisStore;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;

/**
 * The contenders of the Redis part: the same limit as everywhere else (100 per minute per client
 * key) decided on a shared Redis. Each keeps one Lettuce connection shared by all calling threads,
 * as both libraries recommend, and holds its per-key object ready (our {@link Bucket}, Bucket4j's
 * {@link BucketProxy}), so no contender pays for building it per call. Unlike the in-memory
 * contenders these wait for Redis' answer (a network round trip), but never for a permit.
 */
final class RedisContenders {

  /**
   * Ours first. {@code tollgate-redis-every-call}: ours without local rejections, so every decision
   * runs the script, as every Bucket4j decision reaches Redis: the script's own cost.
   */
  static final List<String> ALL =
      List.of("tollgate-redis", "bucket4j-redis", "tollgate-redis-every-call");

  /**
   * How long our store waits for Redis before giving up; generous so that a GC pause is no failure.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  private RedisContenders() {}

  /**
   * Not a limiter: the cost of a round trip through Lettuce alone, {@code EVALSHA} of {@code return
   * 1} on one shared connection, called like the contenders. The floor under both libraries'
   * per-call cost; the gap to {@code redis-benchmark} is the client's own.
   */
  static final String LETTUCE_FLOOR = "lettuce-evalsha-return-1";

  static Contender create(String name, String uri, String[] keys) {
    switch (name) {
      case "tollgate-redis":
        return new Ours(RedisStore.builder(uri), keys);
      case "tollgate-redis-every-call":
        return new Ours(RedisStore.builder(uri).localRejections(0), keys);
      case "bucket4j-redis":
        return new Bucket4jRedis(uri, keys);
      case LETTUCE_FLOOR:
        return new LettuceFloor(uri);
      default:
        throw new IllegalArgumentException("unknown Redis contender " + name + "; known: " + ALL);
    }
  }

  /**
   * {@link RedisStore}, called as the engine calls it: one bucket of the default rule, one EVALSHA.
   */
  static final class Ours implements Contender {
    private final RedisStore store;
    private final Bucket[] buckets;

    Ours(RedisStore.Builder builder, String[] keys) {
      store = builder.timeout(TIMEOUT).build();
      List<Limit> limits = List.of(Limit.of(Contenders.QUOTA, Contenders.WINDOW));
      buckets = new Bucket[keys.length];
      for (int i = 0; i < keys.length; i++) {
        buckets[i] = new Bucket("default", keys[i], limits, false);
      }
    }

    @Override
    public boolean tryAcquire(int key) {
      return store.acquire(new AcquireRequest(List.of(buckets[key]), 1)).admitted();
    }

    @Override
    public Object retained() {
      return store;
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /**
   * Bucket4j 8.14's Lettuce backend ({@code Bucket4jLettuce.casBasedBuilder}, the compare-and-swap
   * proxy manager, the only one it has for Lettuce): capacity 100 refilled all at once every
   * minute, keys expiring once the bucket would be full again (as ours expire with their window),
   * {@code tryConsume(1)} per decision on a {@link BucketProxy} built once per key.
   */
  static final class Bucket4jRedis implements Contender {
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final BucketProxy[] buckets;

    Bucket4jRedis(String uri, String[] keys) {
      client = RedisClient.create(uri);
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      ProxyManager<String> proxies =
          Bucket4jLettuce.casBasedBuilder(connection)
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                      Contenders.WINDOW))
              .build();
      BucketConfiguration configuration =
          BucketConfiguration.builder()
              .addLimit(
                  limit ->
                      limit
                          .capacity(Contenders.QUOTA)
                          .refillIntervally(Contenders.QUOTA, Contenders.WINDOW))
              .build();
      buckets = new BucketProxy[keys.length];
      for (int i = 0; i < keys.length; i++) {
        buckets[i] = proxies.builder().build("bucket4j:" + keys[i], () -> configuration);
      }
    }

    @Override
    public boolean tryAcquire(int key) {
      return buckets[key].tryConsume(1);
    }

    @Override
    public Object retained() {
      return buckets;
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  /**
   * {@link #LETTUCE_FLOOR}: one {@code EVALSHA} of {@code return 1} per call; always "admitted".
   */
  static final class LettuceFloor implements Contender {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String sha;

    LettuceFloor(String uri) {
      client = RedisClient.create(uri);
      connection = client.connect();
      sha = connection.sync().scriptLoad("return 1");
    }

    @Override
    public boolean tryAcquire(int key) {
      return connection.sync().<Long>evalsha(sha, ScriptOutputType.INTEGER) == 1L;
    }

    @Override
    public Object retained() {
      return connection;
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }
}
