package dev.tollgate.core;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns configuration properties into a {@link TollgateConfig} through its builder. */
final class ConfigParser {

  private static final Set<String> GLOBAL_KEYS =
      Set.of(
          "client.key",
          "client.trusted-proxies",
          "client.ipv6-prefix",
          "client.forwarded-header",
          "headers.dialects",
          "headers.after-used-share",
          "store.type",
          "store.max-clients",
          "suspended",
          "status.path",
          "concurrency.max-per-client",
          "reload.interval",
          "metrics");

  private static final Set<String> RULE_KEYS =
      Set.of(
          "path",
          "methods",
          "limits",
          "cost",
          "count-rejected",
          "client.key",
          "on-store-failure",
          "dry-run",
          "page-size.enabled",
          "page-size.parameters",
          "page-size.default",
          "page-size.max",
          "page-size.on-invalid",
          "count",
          "refund-on-server-error");

  /**
   * Keys that stand for the default rule's, so that the common case reads short: {@code
   * limits=100/1m}.
   */
  private static final Set<String> DEFAULT_RULE_SHORTHANDS =
      Set.of(
          "limits",
          "cost",
          "count-rejected",
          "on-store-failure",
          "dry-run",
          "page-size.enabled",
          "page-size.parameters",
          "page-size.default",
          "page-size.max",
          "page-size.on-invalid",
          "count",
          "refund-on-server-error");

  private ConfigParser() {}

  /** Every key that may stand at the top level, sorted, for "did you mean". */
  private static java.util.SortedSet<String> knownTopLevelKeys() {
    java.util.SortedSet<String> keys = new java.util.TreeSet<>(GLOBAL_KEYS);
    keys.addAll(DEFAULT_RULE_SHORTHANDS);
    return keys;
  }

  static String canonicalKey(String key) {
    String k = key.trim();
    return DEFAULT_RULE_SHORTHANDS.contains(k) ? "rules.default." + k : k;
  }

  static TollgateConfig parse(Map<String, String> input) {
    Map<String, String> writtenAs = new java.util.HashMap<>();
    try {
      return parse(input, writtenAs);
    } catch (ConfigException e) {
      String shortKey = writtenAs.get(e.key());
      // Name the key the way the user wrote it (limits, not rules.default.limits).
      throw shortKey == null ? e : new ConfigException(shortKey, e.reason());
    }
  }

  private static TollgateConfig parse(Map<String, String> input, Map<String, String> writtenAs) {
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, String> e : input.entrySet()) {
      String key = e.getKey().trim();
      if (DEFAULT_RULE_SHORTHANDS.contains(key)) {
        String full = "rules.default." + key;
        if (input.containsKey(full)) {
          throw new ConfigException(key, "is set twice, also as " + full);
        }
        writtenAs.put(full, key);
        key = full;
      }
      props.put(key, e.getValue() == null ? "" : e.getValue().trim());
    }
    TollgateConfig.Builder builder = TollgateConfig.builder();
    Map<String, Map<String, String>> ruleProps = new LinkedHashMap<>();
    Map<String, String> storeSettings = new LinkedHashMap<>();
    Map<String, String> planProps = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("rules.")) {
        String rest = key.substring("rules.".length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || !RULE_KEYS.contains(rest.substring(dot + 1))) {
          throw new ConfigException(
              key,
              "unknown key (a rule takes "
                  + String.join(", ", new java.util.TreeSet<>(RULE_KEYS))
                  + ")"
                  + (dot <= 0
                      ? ""
                      : KeySuggestion.didYouMean(
                          key.substring(0, "rules.".length() + dot + 1),
                          rest.substring(dot + 1),
                          new java.util.TreeSet<>(RULE_KEYS))));
        }
        ruleProps
            .computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>())
            .put(rest.substring(dot + 1), e.getValue());
      } else if (key.startsWith("store.") && !GLOBAL_KEYS.contains(key)) {
        storeSettings.put(key.substring("store.".length()), e.getValue());
      } else if (key.startsWith("plans.")) {
        planProps.put(key.substring("plans.".length()), e.getValue()); // read by PlanParser
      } else if (!GLOBAL_KEYS.contains(key)) {
        throw new ConfigException(
            key,
            "unknown key (expected one of "
                + String.join(", ", new java.util.TreeSet<>(GLOBAL_KEYS))
                + ", "
                + String.join(", ", new java.util.TreeSet<>(DEFAULT_RULE_SHORTHANDS))
                + ", store.<setting>, rules.<name>.<setting> or plans.<name>.<setting>)"
                + KeySuggestion.didYouMean("", key, knownTopLevelKeys()));
      }
    }

    List<String> proxies = list(props.getOrDefault("client.trusted-proxies", ""));
    int ipv6Prefix = integer(props, "client.ipv6-prefix", 64, 1, 128);
    String forwardedHeader = props.getOrDefault("client.forwarded-header", "X-Forwarded-For");
    if (!forwardedHeader.equalsIgnoreCase("X-Forwarded-For")
        && !forwardedHeader.equalsIgnoreCase("Forwarded")) {
      throw ConfigException.invalid(
          "client.forwarded-header",
          forwardedHeader,
          "is not a forwarding header (expected X-Forwarded-For or Forwarded)");
    }
    ClientKeyResolver ip;
    try {
      ip = ClientKeys.ip(proxies, ipv6Prefix, forwardedHeader);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("client.trusted-proxies", e.getMessage());
    }
    // Suspended addresses are matched against the whole address, not its IPv6 group.
    builder.clientIp(ClientKeys.ip(proxies, 128, forwardedHeader));
    if (props.containsKey("client.key")) {
      builder.clientKey(chain("client.key", props.get("client.key"), ip));
    } else {
      builder.clientKey(ip);
    }

    if (props.containsKey("headers.dialects")) {
      String value = props.get("headers.dialects");
      List<HeaderDialect> dialects = new ArrayList<>();
      if (!value.equalsIgnoreCase("none")) {
        for (String name : list(value)) {
          try {
            dialects.add(HeaderDialect.named(name));
          } catch (IllegalArgumentException ex) {
            throw ConfigException.invalid("headers.dialects", name, ex.getMessage());
          }
        }
        if (dialects.isEmpty()) {
          throw ConfigException.invalid(
              "headers.dialects", value, "names no dialect (expected e.g. ietf, teos, or none)");
        }
      }
      builder.dialects(dialects.toArray(new HeaderDialect[0]));
    }
    if (props.containsKey("headers.after-used-share")) {
      String v = props.get("headers.after-used-share");
      double share;
      try {
        share = Double.parseDouble(v);
      } catch (NumberFormatException ex) {
        throw ConfigException.invalid(
            "headers.after-used-share", v, "is not a share (expected a number from 0 to 1)");
      }
      if (!(share >= 0 && share <= 1)) {
        throw ConfigException.invalid(
            "headers.after-used-share", v, "is not a share (expected a number from 0 to 1)");
      }
      builder.headersAfterUsedShare(share);
    }
    if (props.containsKey("store.max-clients")) {
      builder.maxTrackedClients(integer(props, "store.max-clients", 0, 1, Integer.MAX_VALUE));
    }
    for (String entry : list(props.getOrDefault("suspended", ""))) {
      builder.suspend(entry);
    }
    if (props.containsKey("status.path") && !props.get("status.path").isEmpty()) {
      builder.statusPath(props.get("status.path"));
    }
    builder.maxConcurrentPerClient(
        integer(props, "concurrency.max-per-client", 0, 0, Integer.MAX_VALUE));
    if (props.containsKey("reload.interval")) {
      String v = props.get("reload.interval");
      try {
        builder.reloadInterval(v.equals("0") ? java.time.Duration.ZERO : Limit.parseDuration(v));
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid("reload.interval", v, e.getMessage());
      }
    }
    if (props.containsKey("metrics")) {
      String v = props.get("metrics").toLowerCase(Locale.ROOT);
      if (!v.equals("micrometer") && !v.equals("none")) {
        throw ConfigException.invalid(
            "metrics",
            props.get("metrics"),
            "is not a metrics choice (expected micrometer or none)");
      }
      builder.micrometerGlobalRegistry(v.equals("micrometer"));
    }
    String storeType = props.getOrDefault("store.type", "memory");
    if (storeType.equals("memory") && !storeSettings.isEmpty()) {
      String first = storeSettings.keySet().iterator().next();
      throw new ConfigException(
          "store." + first,
          "unknown key for the memory store (only store.max-clients applies; set store.type to use another store)");
    }
    builder.store(storeType, storeSettings);

    Map<String, String> defaults = ruleProps.remove(Rule.DEFAULT);
    Rule defaultRule = rule(Rule.DEFAULT, defaults == null ? Map.of() : defaults, ip, null);
    builder.defaultRule(defaultRule);
    for (Map.Entry<String, Map<String, String>> r : ruleProps.entrySet()) {
      builder.rule(rule(r.getKey(), r.getValue(), ip, defaultRule.pageSize()));
    }
    builder.plans(PlanParser.parse(planProps, proxies, ruleProps.keySet()));
    return builder.build();
  }

  private static Rule rule(
      String name, Map<String, String> p, ClientKeyResolver ip, PageSizeRule inheritedPageSize) {
    String prefix = "rules." + name + ".";
    Rule.Builder b;
    try {
      b = Rule.builder(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("rules." + name, e.getMessage());
    }
    boolean isDefault = name.equals(Rule.DEFAULT);
    if (p.containsKey("path")) {
      if (isDefault) {
        throw new ConfigException(
            prefix + "path", "the default rule covers every request and takes no path");
      }
      for (String pattern : list(p.get("path"))) {
        try {
          b.paths(pattern);
        } catch (IllegalArgumentException e) {
          throw ConfigException.invalid(prefix + "path", pattern, e.getMessage());
        }
      }
    }
    if (p.containsKey("methods")) {
      if (isDefault) {
        throw new ConfigException(
            prefix + "methods", "the default rule covers every request and takes no methods");
      }
      for (String m : list(p.get("methods"))) {
        try {
          b.methods(m);
        } catch (IllegalArgumentException e) {
          throw ConfigException.invalid(prefix + "methods", m, "is not an HTTP method");
        }
      }
    }
    if (!isDefault && !p.containsKey("path") && !p.containsKey("methods")) {
      throw new ConfigException(
          prefix + "path",
          "is missing: an endpoint rule needs a path (or methods) to say which requests it covers");
    }
    if (p.containsKey("limits")) {
      for (String expression : list(p.get("limits"))) {
        try {
          b.limits(Limit.parse(expression));
        } catch (IllegalArgumentException e) {
          throw ConfigException.invalid(prefix + "limits", expression, e.getMessage());
        }
      }
    } else if (isDefault) {
      b.limits("100/1m");
    }
    if (p.containsKey("cost")) {
      b.cost(integer(p, "cost", prefix, 1, 1, Integer.MAX_VALUE));
    }
    if (p.containsKey("count-rejected")) {
      b.countRejected(bool(prefix + "count-rejected", p.get("count-rejected")));
    }
    if (p.containsKey("client.key")) {
      b.clientKey(chain(prefix + "client.key", p.get("client.key"), ip));
    }
    if (p.containsKey("dry-run")) {
      b.dryRun(bool(prefix + "dry-run", p.get("dry-run")));
    }
    if (p.containsKey("count") || p.containsKey("refund-on-server-error")) {
      b.counting(counting(prefix, p));
    }
    if (p.containsKey("on-store-failure")) {
      String v = p.get("on-store-failure").toLowerCase(Locale.ROOT);
      if (v.equals("open")) {
        b.onStoreFailure(Rule.StoreFailure.OPEN);
      } else if (v.equals("closed")) {
        b.onStoreFailure(Rule.StoreFailure.CLOSED);
      } else if (v.equals("local")) {
        b.onStoreFailure(Rule.StoreFailure.LOCAL);
      } else {
        throw ConfigException.invalid(
            prefix + "on-store-failure",
            p.get("on-store-failure"),
            "is not a failure policy (expected open, closed or local)");
      }
    }
    PageSizeRule pageSize =
        pageSize(prefix, p, isDefault ? PageSizeRule.defaults() : inheritedPageSize);
    if (pageSize != null) {
      b.pageSize(pageSize);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          prefix + (e.getMessage().startsWith("cost") ? "cost" : "limits"), e.getMessage());
    }
  }

  private static Counting counting(String prefix, Map<String, String> p) {
    Counting.Responses responses = Counting.Responses.ALL;
    if (p.containsKey("count")) {
      try {
        responses = Counting.responsesNamed(p.get("count"));
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid(prefix + "count", p.get("count"), e.getMessage());
      }
    }
    boolean refund =
        p.containsKey("refund-on-server-error")
            && bool(prefix + "refund-on-server-error", p.get("refund-on-server-error"));
    return Counting.of(responses, refund);
  }

  /** Null when the rule sets nothing about page sizes (it inherits the default rule's). */
  private static PageSizeRule pageSize(String prefix, Map<String, String> p, PageSizeRule base) {
    boolean any = false;
    for (String k : p.keySet()) {
      any |= k.startsWith("page-size.");
    }
    if (!any) {
      return prefix.equals("rules.default.") ? base : null;
    }
    if (p.containsKey("page-size.enabled")
        && !bool(prefix + "page-size.enabled", p.get("page-size.enabled"))) {
      return PageSizeRule.disabled();
    }
    List<String> parameters =
        p.containsKey("page-size.parameters")
            ? list(p.get("page-size.parameters"))
            : base.parameters();
    if (parameters.isEmpty()) {
      throw ConfigException.invalid(
          prefix + "page-size.parameters", p.get("page-size.parameters"), "names no parameter");
    }
    int max = integer(p, "page-size.max", prefix, base.maxSize(), 1, Integer.MAX_VALUE);
    int dflt =
        integer(
            p,
            "page-size.default",
            prefix,
            Math.min(base.defaultSize(), max),
            1,
            Integer.MAX_VALUE);
    if (dflt > max) {
      throw ConfigException.invalid(
          prefix + "page-size.default",
          String.valueOf(dflt),
          "is above the maximum page size " + max);
    }
    InvalidPageSize onInvalid = base.onInvalid();
    if (p.containsKey("page-size.on-invalid")) {
      String v = p.get("page-size.on-invalid").toLowerCase(Locale.ROOT);
      if (v.equals("reject")) {
        onInvalid = InvalidPageSize.REJECT;
      } else if (v.equals("default")) {
        onInvalid = InvalidPageSize.USE_DEFAULT;
      } else {
        throw ConfigException.invalid(
            prefix + "page-size.on-invalid",
            p.get("page-size.on-invalid"),
            "is not a choice (expected reject or default)");
      }
    }
    try {
      return PageSizeRule.of(parameters, dflt, max, onInvalid);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(prefix + "page-size.parameters", e.getMessage());
    }
  }

  static ClientKeyResolver chain(String key, String value, ClientKeyResolver ip) {
    List<ClientKeyResolver> chain = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String item : list(value)) {
      if (!seen.add(item)) {
        throw ConfigException.invalid(key, item, "is listed twice");
      }
      String lower = item.toLowerCase(Locale.ROOT);
      if (lower.equals("ip")) {
        chain.add(ip);
      } else if (lower.equals("bearer")) {
        chain.add(ClientKeys.bearerToken());
      } else if (lower.equals("principal")) {
        chain.add(ClientKeys.principal());
      } else if (lower.startsWith("header:")
          && item.length() > 7
          && item.substring(7).matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        chain.add(ClientKeys.header(item.substring(7)));
      } else if (lower.startsWith("class:") && item.length() > 6) {
        chain.add(custom(key, item.substring(6)));
      } else {
        throw ConfigException.invalid(
            key,
            item,
            "is not a client key (expected header:<Name>, bearer, principal, ip or class:<ClientKeyResolver class>)");
      }
    }
    if (chain.isEmpty()) {
      throw ConfigException.invalid(
          key, value, "names no client key (expected e.g. header:X-Api-Key, ip)");
    }
    return ClientKeys.firstOf(chain);
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
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : ConfigParser.class.getClassLoader();
  }

  static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  private static boolean bool(String key, String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw ConfigException.invalid(key, value, "is not a boolean (expected true or false)");
  }

  private static int integer(Map<String, String> p, String key, int dflt, int min, int max) {
    return integer(p, key, "", dflt, min, max);
  }

  private static int integer(
      Map<String, String> p, String name, String prefix, int dflt, int min, int max) {
    String v = p.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConfigException.invalid(
        prefix + name, v, "is not a whole number from " + min + " to " + max);
  }
}
