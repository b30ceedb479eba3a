package dev.tollgate.core.store;

import dev.tollgate.core.Clock;
import java.util.Map;
import java.util.Set;

/**
 * Creates a store from configuration, so that {@code store.type=redis} in a configuration file
 * selects the Redis store with no code. Found with {@link java.util.ServiceLoader}.
 */
public interface RateLimitStoreProvider {

  /** The value of {@code store.type} that selects this provider, e.g. {@code redis}. */
  String type();

  /**
   * The keys this provider reads below {@code store.}, e.g. {@code redis.uri}. Any other {@code
   * store.*} key is a configuration error.
   */
  Set<String> keys();

  /**
   * Creates the store.
   *
   * @param settings the {@code store.*} settings without the {@code store.} prefix
   * @param clock the configured clock, for stores that keep time themselves
   * @throws dev.tollgate.core.ConfigException naming the key and value that cannot be used
   */
  RateLimitStore create(Map<String, String> settings, Clock clock);
}
