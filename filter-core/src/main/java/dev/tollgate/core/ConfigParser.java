package dev.tollgate.core;

import dev.tollgate.core.adapter.ClassLoaders;
import dev.tollgate.core.adapter.ConfigLayers;
import dev.tollgate.core.store.InMemoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns configuration properties into a {@link TollgateConfig} through its builder, one small
 * method per key (as Caffeine's {@code CaffeineSpec} does). The builders check the values; this
 * class reads them and names the key and the value when a builder refuses one. To add a top-level
 * key, add its method and its line in {@link #GLOBAL}; a rule key goes to {@link RuleParser}.
 */
final class ConfigParser {

  /** The top-level keys, each with the method that reads its value. */
  private static final Map<String, BiConsumer<ConfigParser, String>> GLOBAL =
      Map.ofEntries(
          Map.entry("client.key", (p, v) -> p.clientKey = v),
          Map.entry("client.trusted-proxies", ConfigParser::trustedProxies),
          Map.entry("client.ipv6-prefix", ConfigParser::ipv6Prefix),
          Map.entry("client.forwarded-header", ConfigParser::forwardedHeader),
          Map.entry("headers.dialects", ConfigParser::dialects),
          Map.entry("headers.after-used-share", ConfigParser::afterUsedShare),
          Map.entry("store.type", (p, v) -> p.storeType = v),
          Map.entry("store.max-clients", ConfigParser::maxClients),
          Map.entry(
              "suspended", (p, v) -> p.builder.suspend(ConfigWords.list(v).toArray(String[]::new))),
          Map.entry("status.path", ConfigParser::statusPath),
          Map.entry("concurrency.max-per-client", ConfigParser::maxConcurrent),
          Map.entry("reload.interval", ConfigParser::reloadInterval),
          Map.entry("metrics", ConfigParser::metrics));

  private static final String DEFAULT_PREFIX = "rules." + Rule.DEFAULT + ".";

  private final TollgateConfig.Builder builder = TollgateConfig.builder();
  private List<String> proxies = List.of();
  private int ipv6Prefix = 64;
  private String forwardedHeader = "X-Forwarded-For";
  private @Nullable String clientKey;
  private String storeType = "memory";
  private final Map<String, String> storeSettings = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> ruleProps = new LinkedHashMap<>();
  private final Map<String, String> planProps = new LinkedHashMap<>();

  private ConfigParser() {}

  static String canonicalKey(String key) {
    String k = key.trim();
    return RuleParser.DEFAULT_RULE_SHORTHANDS.contains(k) ? DEFAULT_PREFIX + k : k;
  }

  /** See {@link TollgateConfig#load(InputStream, String, Map)}. */
  static TollgateConfig load(InputStream in, String source, Map<String, String> overrides)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Properties p = new Properties();
    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    Map<String, String> file = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      file.put(name, p.getProperty(name));
    }
    try {
      return parse(ConfigLayers.merge(file, overrides));
    } catch (ConfigException e) {
      throw e.withSource("in " + source);
    }
  }

  static TollgateConfig parse(Map<String, String> input) {
    Map<String, String> writtenAs = new HashMap<>();
    try {
      return new ConfigParser().read(canonical(input, writtenAs));
    } catch (ConfigException e) {
      String shortKey = writtenAs.get(e.key());
      // Name the key the way the user wrote it (limits, not rules.default.limits).
      throw shortKey == null ? e : new ConfigException(shortKey, e.reason());
    }
  }

  /** The properties with keys trimmed, shorthands spelled out, values trimmed, sorted by key. */
  private static Map<String, String> canonical(
      Map<String, String> input, Map<String, String> writtenAs) {
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, String> e : input.entrySet()) {
      String key = e.getKey().trim();
      String full = canonicalKey(key);
      if (!full.equals(key)) {
        if (input.containsKey(full)) {
          throw new ConfigException(key, "is set twice, also as " + full);
        }
        writtenAs.put(full, key);
      }
      props.put(full, e.getValue() == null ? "" : e.getValue().trim());
    }
    return props;
  }

  private TollgateConfig read(Map<String, String> props) {
    for (Map.Entry<String, String> e : props.entrySet()) {
      sort(e.getKey(), e.getValue());
    }
    ClientKeyResolver ip = ClientKeys.ip(proxies, ipv6Prefix, forwardedHeader);
    // Suspended addresses are matched against the whole address, not its IPv6 group.
    builder.clientIp(ClientKeys.ip(proxies, 128, forwardedHeader));
    builder.clientKey(clientKey == null ? ip : chain("client.key", clientKey, ip));
    store();
    Map<String, String> defaults = ruleProps.remove(Rule.DEFAULT);
    Rule defaultRule =
        RuleParser.parse(Rule.DEFAULT, defaults == null ? Map.of() : defaults, ip, null);
    builder.defaultRule(defaultRule);
    for (Map.Entry<String, Map<String, String>> r : ruleProps.entrySet()) {
      builder.rule(RuleParser.parse(r.getKey(), r.getValue(), ip, defaultRule.pageSize()));
    }
    builder.plans(PlanParser.parse(planProps, proxies, ruleProps.keySet()));
    return builder.build();
  }

  /** Reads a top-level key, or sets aside a rule's, a store's or a plan's for later. */
  private void sort(String key, String value) {
    BiConsumer<ConfigParser, String> setting = GLOBAL.get(key);
    if (setting != null) {
      try {
        setting.accept(this, value);
      } catch (IllegalArgumentException e) {
        throw ConfigWords.naming(key, value, e);
      }
    } else if (key.startsWith("rules.")) {
      rule(key, value);
    } else if (key.startsWith("store.")) {
      storeSettings.put(key.substring("store.".length()), value);
    } else if (key.startsWith("plans.")) {
      planProps.put(key.substring("plans.".length()), value); // read by PlanParser
    } else {
      throw new ConfigException(
          key,
          "unknown key (expected one of "
              + String.join(", ", new TreeSet<>(GLOBAL.keySet()))
              + ", "
              + String.join(", ", new TreeSet<>(RuleParser.DEFAULT_RULE_SHORTHANDS))
              + ", store.<setting>, rules.<name>.<setting> or plans.<name>.<setting>)"
              + KeySuggestion.didYouMean("", key, knownTopLevelKeys()));
    }
  }

  private void rule(String key, String value) {
    String rest = key.substring("rules.".length());
    int dot = rest.indexOf('.');
    String setting = dot <= 0 ? "" : rest.substring(dot + 1);
    if (!RuleParser.KEYS.contains(setting)) {
      SortedSet<String> known = new TreeSet<>(RuleParser.KEYS);
      throw new ConfigException(
          key,
          "unknown key (a rule takes "
              + String.join(", ", known)
              + ")"
              + (dot <= 0
                  ? ""
                  : KeySuggestion.didYouMean(
                      key.substring(0, key.length() - setting.length()), setting, known)));
    }
    ruleProps
        .computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>())
        .put(setting, value);
  }

  /** Every key that may stand at the top level, sorted, for "did you mean". */
  private static SortedSet<String> knownTopLevelKeys() {
    SortedSet<String> keys = new TreeSet<>(GLOBAL.keySet());
    keys.addAll(RuleParser.DEFAULT_RULE_SHORTHANDS);
    return keys;
  }

  private void store() {
    if (storeType.equals("memory") && !storeSettings.isEmpty()) {
      String first = storeSettings.keySet().iterator().next();
      throw new ConfigException(
          "store." + first,
          "unknown key for the memory store (only store.max-clients applies; set store.type to use another store)");
    }
    builder.store(storeType, storeSettings);
  }

  // ---- one method per top-level key ------------------------------------------------------------

  private void trustedProxies(String value) {
    proxies = ConfigWords.list(value);
    ClientKeys.ip(proxies, 128); // checks the addresses and ranges
  }

  private void ipv6Prefix(String value) {
    ipv6Prefix = ConfigWords.integer(value, 1, 128);
  }

  private void forwardedHeader(String value) {
    ClientKeys.ip(List.of(), 128, value); // checks the header name
    forwardedHeader = value;
  }

  private void dialects(String value) {
    List<HeaderDialect> dialects = new ArrayList<>();
    if (!value.equalsIgnoreCase("none")) {
      for (String name : ConfigWords.list(value)) {
        try {
          dialects.add(HeaderDialect.fromConfig(name));
        } catch (IllegalArgumentException e) {
          throw ConfigWords.naming("headers.dialects", name, e);
        }
      }
      if (dialects.isEmpty()) {
        throw new IllegalArgumentException("names no dialect (expected e.g. ietf, teos, or none)");
      }
    }
    builder.dialects(dialects.toArray(new HeaderDialect[0]));
  }

  private void afterUsedShare(String value) {
    builder.headersAfterUsedShare(ConfigWords.number(value));
  }

  private void maxClients(String value) {
    builder.maxTrackedClients(ConfigWords.integer(value, 1, (int) InMemoryStore.MAX_CLIENTS));
  }

  private void statusPath(String value) {
    builder.statusPath(value.isEmpty() ? null : value);
  }

  private void maxConcurrent(String value) {
    builder.maxConcurrentPerClient(ConfigWords.integer(value, 0, Integer.MAX_VALUE));
  }

  private void reloadInterval(String value) {
    builder.reloadInterval(value.equals("0") ? Duration.ZERO : Limit.parseDuration(value));
  }

  private void metrics(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (!v.equals("micrometer") && !v.equals("none")) {
      throw new IllegalArgumentException("is not a metrics choice (expected micrometer or none)");
    }
    builder.micrometerGlobalRegistry(v.equals("micrometer"));
  }

  // ---- client keys ------------------------------------------------------------------------------

  /** The client key chain {@code value} of {@code key}, with {@code ip} for {@code ip}. */
  static ClientKeyResolver chain(String key, String value, ClientKeyResolver ip) {
    List<ClientKeyResolver> chain = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String item : ConfigWords.list(value)) {
      if (!seen.add(item)) {
        throw ConfigException.invalid(key, item, "is listed twice");
      }
      chain.add(clientKeySource(key, item, ip));
    }
    if (chain.isEmpty()) {
      throw ConfigException.invalid(
          key, value, "names no client key (expected e.g. header:X-Api-Key, ip)");
    }
    return ClientKeys.firstOf(chain);
  }

  private static ClientKeyResolver clientKeySource(String key, String item, ClientKeyResolver ip) {
    String lower = item.toLowerCase(Locale.ROOT);
    if (lower.equals("ip")) {
      return ip;
    } else if (lower.equals("bearer")) {
      return ClientKeys.bearerToken();
    } else if (lower.equals("principal")) {
      return ClientKeys.principal();
    } else if (lower.startsWith("header:")
        && item.length() > 7
        && item.substring(7).matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      return ClientKeys.header(item.substring(7));
    } else if (lower.startsWith("class:") && item.length() > 6) {
      return custom(key, item.substring(6));
    }
    throw ConfigException.invalid(
        key,
        item,
        "is not a client key (expected header:<Name>, bearer, principal, ip or class:<ClientKeyResolver class>)");
  }

  private static ClientKeyResolver custom(String key, String className) {
    try {
      Class<?> type = Class.forName(className.trim(), true, classLoader());
      if (!ClientKeyResolver.class.isAssignableFrom(type)) {
        throw ConfigException.invalid(
            key, className, "is not a " + ClientKeyResolver.class.getName());
      }
      return (ClientKeyResolver) type.getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw ConfigException.invalid(key, className, "names a class that was not found");
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw ConfigException.invalid(
          key, className, "cannot be created (it needs a public no-argument constructor)");
    }
  }

  private static ClassLoader classLoader() {
    return ClassLoaders.contextOr(ConfigParser.class);
  }
}
