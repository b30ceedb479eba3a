/**
 * A Redis store for Tollgate, {@link dev.tollgate.redis.RedisStore}, also found by {@code
 * store.type = redis} through its {@link dev.tollgate.core.store.RateLimitStoreProvider}.
 */
// Lettuce has no descriptor, only a stable Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module dev.tollgate.redis {
  exports dev.tollgate.redis;

  provides dev.tollgate.core.store.RateLimitStoreProvider with
      dev.tollgate.redis.RedisStoreProvider;

  // RedisStore is a RateLimitStore; its builder and provider take core's types.
  requires transitive dev.tollgate.core;
  requires lettuce.core;
  requires static org.jspecify;
}
