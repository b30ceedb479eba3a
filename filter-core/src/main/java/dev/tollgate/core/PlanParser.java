package dev.tollgate.core;

import dev.tollgate.core.adapter.ClassLoaders;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code plans.*} keys into {@link Plans}, for {@link ConfigParser}:
 *
 * <pre>
 * plans.free.limits = 100/1m, 10000/24h rolling
 * plans.pro.limits = 1000/1m, 200000/24h rolling
 * plans.pro.rules.reports.limits = 100/1m
 * plans.pro.clients = user:alice, key:3q2-7w..., 198.51.100.0/24
 * plans.default = free
 * plans.resolvers = clients, header:X-Plan, roles, class:com.example.Billing, jdbc
 * </pre>
 */
final class PlanParser {

  /** Names under {@code plans.} that are settings, not plans. */
  static final Set<String> RESERVED = Set.of("default", "fallback", "resolvers", "cache", "jdbc");

  private static final Set<String> SETTINGS =
      new TreeSet<>(
          List.of(
              "default",
              "fallback",
              "resolvers",
              "cache.max-entries",
              "cache.ttl",
              "cache.refresh",
              "cache.timeout",
              "jdbc.datasource",
              "jdbc.query",
              "jdbc.query-timeout"));

  private static final Set<String> PLAN_KEYS =
      new TreeSet<>(
          List.of(
              "limits",
              "cost",
              "page-size.max",
              "concurrency.max-per-client",
              "clients",
              "roles",
              "rules.<rule>.limits"));

  private PlanParser() {}

  /**
   * @param props the {@code plans.*} keys without {@code plans.}, values trimmed
   * @param trustedProxies {@code client.trusted-proxies}, the gateways whose plan header is
   *     believed
   * @param ruleNames the endpoint rules' names, which a plan may give its own limits
   * @return null if there are no such keys
   */
  static @Nullable Plans parse(
      Map<String, String> props, List<String> trustedProxies, Set<String> ruleNames) {
    if (props.isEmpty()) {
      return null;
    }
    Plans.Builder b = Plans.builder();
    b.trustedProxies(trustedProxies);
    for (Map.Entry<String, Map<String, String>> e : perPlan(props).entrySet()) {
      b.plan(plan(e.getKey(), e.getValue(), ruleNames));
    }
    b.cache(cacheSettings(props));
    if (props.containsKey("default")) {
      b.defaultPlan(props.get("default"));
    }
    if (props.containsKey("fallback")) {
      b.fallbackPlan(props.get("fallback"));
    }
    boolean jdbcListed = props.containsKey("resolvers") && sources(b, props);
    for (String k : props.keySet()) {
      if (k.startsWith("jdbc.") && !jdbcListed) {
        throw new ConfigException("plans." + k, "is set but plans.resolvers does not list jdbc");
      }
    }
    return b.build();
  }

  /** Each plan's keys (without {@code plans.<name>.}), after checking every key is known. */
  private static Map<String, Map<String, String>> perPlan(Map<String, String> props) {
    Map<String, Map<String, String>> perPlan = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String key = e.getKey();
      int dot = key.indexOf('.');
      String first = dot < 0 ? key : key.substring(0, dot);
      if (RESERVED.contains(first)) {
        if (!SETTINGS.contains(key)) {
          throw new ConfigException(
              "plans." + key,
              "unknown key (plan settings are plans."
                  + String.join(", plans.", SETTINGS)
                  + ")"
                  + KeySuggestion.didYouMean("plans.", key, new TreeSet<>(SETTINGS)));
        }
        continue;
      }
      String rest = dot < 0 ? "" : key.substring(dot + 1);
      if (!rest.matches(
          "limits|cost|page-size\\.max|concurrency\\.max-per-client|clients|roles|rules\\.[^.]+\\.limits")) {
        throw new ConfigException(
            "plans." + key,
            "unknown key (a plan takes "
                + String.join(", ", PLAN_KEYS)
                + ")"
                + (dot < 0
                    ? ""
                    : KeySuggestion.didYouMean(
                        "plans." + first + ".", rest, new TreeSet<>(PLAN_KEYS))));
      }
      perPlan.computeIfAbsent(first, n -> new LinkedHashMap<>()).put(rest, e.getValue());
    }
    return perPlan;
  }

  /** Adds the sources {@code plans.resolvers} lists; true if it lists {@code jdbc}. */
  private static boolean sources(Plans.Builder b, Map<String, String> props) {
    boolean jdbcListed = false;
    Set<String> seen = new LinkedHashSet<>();
    String resolvers = Objects.requireNonNull(props.get("resolvers"), "checked by parse");
    for (String item : ConfigWords.list(resolvers)) {
      if (!seen.add(item)) {
        throw ConfigException.invalid("plans.resolvers", item, "is listed twice");
      }
      String lower = item.toLowerCase(Locale.ROOT);
      if (lower.equals("clients")) {
        b.byClients();
      } else if (lower.equals("roles")) {
        b.byRoles();
      } else if (lower.startsWith("header:") && item.length() > 7) {
        b.byHeader(item.substring(7));
      } else if (lower.startsWith("class:") && item.length() > 6) {
        b.byResolver(custom(item.substring(6).trim()));
      } else if (lower.equals("jdbc")) {
        jdbcListed = true;
        b.byResolver(jdbc(props));
      } else {
        throw ConfigException.invalid(
            "plans.resolvers",
            item,
            "is not a plan source (expected clients, roles, header:<Name>, class:<PlanResolver class> or jdbc)");
      }
    }
    if (seen.isEmpty()) {
      throw ConfigException.invalid(
          "plans.resolvers", resolvers, "names no plan source (expected e.g. clients, roles)");
    }
    return jdbcListed;
  }

  /** {@code plans.<plan>.rules.<rule>.limits}: the plan's limits for an endpoint rule. */
  private static void ruleLimits(
      Plan.Builder b, String plan, String key, String value, Set<String> ruleNames) {
    String rule = key.substring("rules.".length(), key.length() - ".limits".length());
    if (!ruleNames.contains(rule)) {
      throw new ConfigException(
          "plans." + plan + "." + key,
          "names no endpoint rule (rules: "
              + (ruleNames.isEmpty() ? "none" : String.join(", ", new TreeSet<>(ruleNames)))
              + "; the default rule's limits are plans."
              + plan
              + ".limits)");
    }
    b.ruleLimits(rule, limits("plans." + plan + "." + key, value));
  }

  private static Plan plan(String name, Map<String, String> p, Set<String> ruleNames) {
    String prefix = "plans." + name + ".";
    Plan.Builder b;
    try {
      b = Plan.builder(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("plans." + name, e.getMessage());
    }
    for (Map.Entry<String, String> e : p.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      try {
        switch (key) {
          case "limits" -> b.limits(limits(prefix + key, value));
          case "cost" -> b.cost(whole(prefix + key, value));
          case "page-size.max" -> b.pageSizeMax(whole(prefix + key, value));
          case "concurrency.max-per-client" -> b.maxConcurrent(whole(prefix + key, value));
          case "clients" -> b.clients(ConfigWords.list(value).toArray(new String[0]));
          case "roles" -> b.roles(ConfigWords.list(value).toArray(new String[0]));
          default -> ruleLimits(b, name, key, value, ruleNames);
        }
      } catch (ConfigException ex) {
        throw ex;
      } catch (IllegalArgumentException ex) {
        throw ConfigException.invalid(prefix + key, value, ex.getMessage());
      }
    }
    try {
      return b.build();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid(prefix + "cost", p.get("cost"), e.getMessage());
    }
  }

  /** {@code none} for no limits at all, else comma-separated limits. */
  private static Limit[] limits(String key, String value) {
    if (value.equalsIgnoreCase("none")) {
      return new Limit[0];
    }
    List<String> expressions = ConfigWords.list(value);
    if (expressions.isEmpty()) {
      throw ConfigException.invalid(key, value, "names no limit (expected e.g. 100/1m, or none)");
    }
    Limit[] out = new Limit[expressions.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Limit.parse(expressions.get(i));
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid(key, expressions.get(i), e.getMessage());
      }
    }
    return out;
  }

  private static int whole(String key, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConfigException.invalid(key, value, "is not a whole number of at least 1");
  }

  private static Plans.CacheSettings cacheSettings(Map<String, String> props) {
    Plans.CacheSettings d = Plans.CacheSettings.DEFAULTS;
    long max = d.maxEntries();
    if (props.containsKey("cache.max-entries")) {
      max = whole("plans.cache.max-entries", props.get("cache.max-entries"));
    }
    return new Plans.CacheSettings(
        max,
        duration(props, "cache.ttl", d.ttl()),
        duration(props, "cache.refresh", d.refresh()),
        duration(props, "cache.timeout", d.timeout()));
  }

  /**
   * A duration as {@link Limit#parseDuration} reads it, or a whole number of milliseconds ({@code
   * 200ms}).
   */
  private static Duration duration(Map<String, String> props, String key, Duration dflt) {
    String v = props.get(key);
    if (v == null) {
      return dflt;
    }
    if (v.matches("\\d{1,9}ms")) {
      Duration d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      if (!d.isZero()) {
        return d;
      }
    } else {
      try {
        Duration d = Limit.parseDuration(v);
        if (!d.isZero()) {
          return d;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw ConfigException.invalid(
        "plans." + key, v, "is not a positive duration (expected e.g. 200ms, 30s, 5m)");
  }

  private static PlanResolver jdbc(Map<String, String> props) {
    String source = props.get("jdbc.datasource");
    String query = props.get("jdbc.query");
    if (source == null || source.isEmpty()) {
      throw new ConfigException(
          "plans.jdbc.datasource",
          "is missing: the jdbc plan source needs a JNDI name, e.g. java:comp/env/jdbc/plans");
    }
    if (query == null || query.isEmpty()) {
      throw new ConfigException(
          "plans.jdbc.query",
          "is missing: the jdbc plan source needs a query, e.g. SELECT plan FROM tenants WHERE client_key = ?");
    }
    JdbcPlanResolver r;
    try {
      r = JdbcPlanResolver.jndi(source, query);
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid("plans.jdbc.query", query, e.getMessage());
    }
    if (props.containsKey("jdbc.query-timeout")) {
      String v = props.get("jdbc.query-timeout");
      try {
        r = r.queryTimeout((int) Limit.parseDuration(v).getSeconds());
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid("plans.jdbc.query-timeout", v, e.getMessage());
      }
    }
    return r;
  }

  private static PlanResolver custom(String className) {
    String key = "plans.resolvers";
    try {
      Class<?> type = Class.forName(className, true, classLoader());
      if (!PlanResolver.class.isAssignableFrom(type)) {
        throw ConfigException.invalid(
            key, "class:" + className, "is not a " + PlanResolver.class.getName());
      }
      PlanResolver r = (PlanResolver) type.getConstructor().newInstance();
      return new PlanResolver() {
        @Override
        public @Nullable String planOf(String clientKey) throws Exception {
          return r.planOf(clientKey);
        }

        @Override
        public String toString() {
          return "class:" + className;
        }
      };
    } catch (ClassNotFoundException e) {
      throw ConfigException.invalid(key, "class:" + className, "names a class that was not found");
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw ConfigException.invalid(
          key,
          "class:" + className,
          "cannot be created (it needs a public no-argument constructor)");
    }
  }

  private static ClassLoader classLoader() {
    return ClassLoaders.contextOr(PlanParser.class);
  }
}
