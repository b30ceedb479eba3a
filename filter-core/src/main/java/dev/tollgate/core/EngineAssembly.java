package dev.tollgate.core;

import dev.tollgate.core.adapter.ClassLoaders;
import dev.tollgate.core.micrometer.MicrometerMetrics;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * What {@link Tollgate.Builder} and {@link Tollgate#reconfigure} decide from a configuration: the
 * store it names, the metrics it asks for, and whether a new configuration may replace the old one
 * at run time.
 */
final class EngineAssembly {

  private EngineAssembly() {}

  /** {@code chosen}, or Micrometer's global registry when the configuration asks for it. */
  static TollgateMetrics metricsFor(TollgateConfig config, TollgateMetrics chosen) {
    if (chosen != TollgateMetrics.NONE || !config.micrometerGlobalRegistry()) {
      return chosen;
    }
    try {
      // Behind a method of its own class, so Micrometer is loaded only when asked for.
      return MicrometerMetrics.globalRegistry();
    } catch (NoClassDefFoundError e) {
      throw new ConfigException("metrics", "micrometer needs micrometer-core on the class path");
    }
  }

  /**
   * The store {@code config.storeType()} names: the in-memory one, or one a {@link
   * RateLimitStoreProvider} on the class path provides.
   *
   * @throws ConfigException if no store has that type, or a setting is not one of its keys
   */
  static RateLimitStore storeFor(TollgateConfig config, Clock clock) {
    if (config.storeType().equals("memory")) {
      return InMemoryStore.create(config.maxTrackedClients(), clock);
    }
    List<String> known = new ArrayList<>(List.of("memory"));
    for (RateLimitStoreProvider p :
        ServiceLoader.load(RateLimitStoreProvider.class, classLoader())) {
      if (p.type().equals(config.storeType())) {
        for (String key : config.storeSettings().keySet()) {
          if (!p.keys().contains(key)) {
            throw new ConfigException(
                "store." + key,
                "unknown key for the "
                    + p.type()
                    + " store (expected one of "
                    + String.join(", ", new TreeSet<>(p.keys()))
                    + ")");
          }
        }
        return p.create(config.storeSettings(), clock);
      }
      known.add(p.type());
    }
    throw ConfigException.invalid(
        "store.type",
        config.storeType(),
        "is not an available store (available: "
            + String.join(", ", known)
            + "; the redis store needs the redis-store module on the class path)");
  }

  private static ClassLoader classLoader() {
    return ClassLoaders.contextOr(Tollgate.class);
  }

  /**
   * Fails if {@code next} cannot replace {@code old} at run time: it names another store, or
   * another bound on the clients the store tracks.
   */
  static void checkReplaceable(TollgateConfig old, TollgateConfig next) {
    if (!old.storeType().equals(next.storeType())
        || !old.storeSettings().equals(next.storeSettings())) {
      throw new ConfigException(
          "store.type", "the store cannot change at run time (restart to change store.*)");
    }
    if (old.maxTrackedClients() != next.maxTrackedClients()) {
      throw new ConfigException(
          "store.max-clients",
          "the store's bound cannot change at run time (restart to change it)");
    }
  }
}
