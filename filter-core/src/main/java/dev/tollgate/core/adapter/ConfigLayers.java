package dev.tollgate.core.adapter;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configuration from two layers of settings: a file's, and overrides set next to it (for example
 * a filter's init-params). A message about a value says in which layer it was set.
 */
public final class ConfigLayers {

  private ConfigLayers() {}

  /**
   * Parses {@code file} with {@code overrides} applied over it.
   *
   * @param fileSource where the file's values were set, for messages, e.g. {@code in
   *     /WEB-INF/tollgate.properties}
   * @param overridesSource where the overrides were set, for messages
   * @throws ConfigException naming the key and value and, if a layer sets the key, that layer
   */
  public static TollgateConfig parse(
      Map<String, String> file,
      String fileSource,
      Map<String, String> overrides,
      String overridesSource) {
    try {
      return TollgateConfig.parse(merge(file, overrides));
    } catch (ConfigException e) {
      if (setsKey(overrides, e.key())) {
        throw e.withSource(overridesSource);
      }
      throw setsKey(file, e.key()) ? e.withSource(fileSource) : e;
    }
  }

  /**
   * {@code file} with each override replacing the file's value whichever way either writes the key
   * ({@code limits} or {@code rules.default.limits}).
   */
  public static Map<String, String> merge(Map<String, String> file, Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(file);
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      String canonical = TollgateConfig.canonicalKey(o.getKey());
      merged.keySet().removeIf(k -> TollgateConfig.canonicalKey(k).equals(canonical));
      merged.put(o.getKey(), o.getValue());
    }
    return merged;
  }

  private static boolean setsKey(Map<String, String> layer, String key) {
    String canonical = TollgateConfig.canonicalKey(key);
    return layer.keySet().stream().anyMatch(k -> TollgateConfig.canonicalKey(k).equals(canonical));
  }
}
