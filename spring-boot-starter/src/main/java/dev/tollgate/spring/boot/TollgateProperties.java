package dev.tollgate.spring.boot;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;

/**
 * The {@code tollgate.*} properties of a Spring {@link Environment}, read into core's
 * configuration: {@code tollgate.<key>} is the configuration key {@code <key>} (same names, same
 * values), so core's parser checks them and words its errors as for a file. Read through Boot's
 * {@link Binder}, so profiles, placeholders, YAML and relaxed sources work as for any Boot
 * property. A YAML list ({@code limits: [100/1m, 10000/24h rolling]}) is the comma list core
 * expects.
 */
final class TollgateProperties {

  static final String PREFIX = "tollgate";

  /** The starter's own key; not a core configuration key. */
  static final String ENABLED = "enabled";

  /** An item of a list, as Boot's binder names it ({@code limits.0}, or {@code limits[0]}). */
  private static final Pattern INDEXED = Pattern.compile("(.+?)(?:\\[(\\d+)]|\\.(\\d+))");

  private final Environment environment;

  TollgateProperties(Environment environment) {
    this.environment = environment;
  }

  /** The configuration keys (without the prefix) and their values, as core's parser reads them. */
  Map<String, String> keys() {
    Map<String, String> bound =
        Binder.get(environment)
            .bind(PREFIX, Bindable.mapOf(String.class, String.class))
            .orElseGet(Map::of);
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, String>> lists = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : bound.entrySet()) {
      Matcher m = INDEXED.matcher(e.getKey());
      if (m.matches()) {
        String index = m.group(2) != null ? m.group(2) : m.group(3);
        lists
            .computeIfAbsent(m.group(1), k -> new TreeMap<>())
            .put(Integer.parseInt(index), e.getValue());
      } else if (!e.getKey().equals(ENABLED)) {
        out.put(e.getKey(), e.getValue());
      }
    }
    lists.forEach((key, items) -> out.put(key, String.join(", ", items.values())));
    RedisSettings.fill(out, environment);
    return out;
  }

  /**
   * Core's configuration for these properties.
   *
   * @throws ConfigException naming the key, the value and the Spring property it came from
   */
  TollgateConfig config() {
    try {
      return TollgateConfig.parse(keys());
    } catch (ConfigException e) {
      throw located(e);
    }
  }

  /** The same problem, saying which Spring property holds the value and where that was set. */
  ConfigException located(ConfigException e) {
    if (RedisSettings.derived(e.key(), environment)) {
      // The URI holds the password from spring.data.redis.*: it must not reach a log.
      String uri = keys().get(e.key());
      String reason =
          uri == null
              ? e.reason()
              : Objects.requireNonNull(e.reason(), "reason")
                  .replace(uri, RedisSettings.withoutPassword(uri));
      return new ConfigException(e.key(), reason + " (built from spring.data.redis.*)");
    }
    String property = PREFIX + "." + e.key();
    String origin = origin(property);
    return e.withSource(
        origin == null
            ? "Spring property " + property
            : "Spring property " + property + " in " + origin);
  }

  private @Nullable String origin(String property) {
    ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
    List<ConfigurationPropertyName> candidates = new ArrayList<>(List.of(name));
    // A list given as YAML items: name the first item's origin.
    candidates.add(ConfigurationPropertyName.adapt(property + "[0]", '.'));
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      for (ConfigurationPropertyName candidate : candidates) {
        ConfigurationProperty p = source.getConfigurationProperty(candidate);
        if (p != null && p.getOrigin() != null) {
          return p.getOrigin().toString();
        }
      }
    }
    return null;
  }
}
