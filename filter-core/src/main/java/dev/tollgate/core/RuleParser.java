package dev.tollgate.core;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the keys of one rule ({@code rules.<name>.<key>}, or the default rule's shorthands) into a
 * {@link Rule} through its builder, one small method per key, for {@link ConfigParser}. The builder
 * checks the values; this class names the key and the value when it refuses one. To add a rule key,
 * add its method and its line in {@link #SETTINGS}.
 */
final class RuleParser {

  /** The rule keys, each with the method that reads its value. */
  private static final Map<String, BiConsumer<RuleParser, String>> SETTINGS =
      Map.ofEntries(
          Map.entry("path", RuleParser::paths),
          Map.entry("methods", RuleParser::methods),
          Map.entry("limits", RuleParser::limits),
          Map.entry("cost", (r, v) -> r.b.cost(ConfigWords.integer(v, 1, Integer.MAX_VALUE))),
          Map.entry("count-rejected", (r, v) -> r.b.countRejected(ConfigWords.bool(v))),
          Map.entry("client.key", RuleParser::clientKey),
          Map.entry(
              "on-store-failure", (r, v) -> r.b.onStoreFailure(Rule.StoreFailure.fromConfig(v))),
          Map.entry("dry-run", (r, v) -> r.b.dryRun(ConfigWords.bool(v))),
          Map.entry("count", (r, v) -> r.countedResponses = Counting.Responses.fromConfig(v)),
          Map.entry("refund-on-server-error", (r, v) -> r.refund = ConfigWords.bool(v)),
          Map.entry("page-size.enabled", (r, v) -> r.pageSizeEnabled = ConfigWords.bool(v)),
          Map.entry("page-size.parameters", (r, v) -> r.parameters = ConfigWords.list(v)),
          Map.entry(
              "page-size.default",
              (r, v) -> r.defaultSize = ConfigWords.integer(v, 1, Integer.MAX_VALUE)),
          Map.entry(
              "page-size.max", (r, v) -> r.maxSize = ConfigWords.integer(v, 1, Integer.MAX_VALUE)),
          Map.entry("page-size.on-invalid", (r, v) -> r.onInvalid = InvalidPageSize.fromConfig(v)));

  /** Every key a rule takes. */
  static final Set<String> KEYS = SETTINGS.keySet();

  /**
   * Keys that stand for the default rule's, so that the common case reads short: {@code
   * limits=100/1m}. Every rule key but those that say which requests and clients a rule covers.
   */
  static final Set<String> DEFAULT_RULE_SHORTHANDS = shorthands();

  private final Rule.Builder b;
  private final String prefix;
  private final ClientKeyResolver ip;
  private final boolean isDefault;
  private boolean limitsSet;
  private Counting.@Nullable Responses countedResponses;
  private @Nullable Boolean refund;
  private @Nullable Boolean pageSizeEnabled;
  private @Nullable List<String> parameters;
  private @Nullable Integer defaultSize;
  private @Nullable Integer maxSize;
  private @Nullable InvalidPageSize onInvalid;

  private RuleParser(Rule.Builder b, String prefix, ClientKeyResolver ip) {
    this.b = b;
    this.prefix = prefix;
    this.ip = ip;
    this.isDefault = prefix.equals("rules." + Rule.DEFAULT + ".");
  }

  private static Set<String> shorthands() {
    Set<String> keys = new HashSet<>(SETTINGS.keySet());
    keys.removeAll(Set.of("path", "methods", "client.key"));
    return Set.copyOf(keys);
  }

  /**
   * The rule {@code name} with the keys {@code props} (without {@code rules.<name>.}).
   *
   * @param ip the client IP resolver the word {@code ip} stands for in {@code client.key}
   * @param inheritedPageSize the default rule's page sizes, which an endpoint rule's page-size keys
   *     change; null for the default rule itself
   */
  static Rule parse(
      String name,
      Map<String, String> props,
      ClientKeyResolver ip,
      @Nullable PageSizeRule inheritedPageSize) {
    String prefix = "rules." + name + ".";
    RuleParser r;
    try {
      r = new RuleParser(Rule.builder(name), prefix, ip);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("rules." + name, e.getMessage());
    }
    for (Map.Entry<String, String> e : props.entrySet()) {
      try {
        Objects.requireNonNull(SETTINGS.get(e.getKey()), "a rule key, checked by ConfigParser")
            .accept(r, e.getValue());
      } catch (IllegalArgumentException ex) {
        throw ConfigWords.naming(prefix + e.getKey(), e.getValue(), ex);
      }
    }
    return r.build(inheritedPageSize);
  }

  private Rule build(@Nullable PageSizeRule inheritedPageSize) {
    if (!limitsSet && isDefault) {
      b.limits("100/1m"); // the default rule's default
    }
    if (countedResponses != null || refund != null) {
      b.counting(
          Counting.of(
              countedResponses == null ? Counting.Responses.ALL : countedResponses,
              refund != null && refund));
    }
    PageSizeRule pageSize =
        pageSize(inheritedPageSize == null ? PageSizeRule.defaults() : inheritedPageSize);
    if (pageSize != null) {
      b.pageSize(pageSize);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          prefix
              + (Objects.requireNonNull(e.getMessage(), "the builder's message").startsWith("cost")
                  ? "cost"
                  : "limits"),
          e.getMessage());
    }
  }

  // ---- one method per key that needs more than a line ------------------------------------------

  private void paths(String value) {
    for (String pattern : ConfigWords.list(value)) {
      try {
        b.paths(pattern);
      } catch (IllegalArgumentException e) {
        throw ConfigWords.naming(prefix + "path", pattern, e);
      }
    }
  }

  private void methods(String value) {
    for (String m : ConfigWords.list(value)) {
      b.methods(m); // its message quotes the method
    }
  }

  private void limits(String value) {
    limitsSet = true;
    for (String expression : ConfigWords.list(value)) {
      try {
        b.limits(Limit.parse(expression));
      } catch (IllegalArgumentException e) {
        throw ConfigWords.naming(prefix + "limits", expression, e);
      }
    }
  }

  private void clientKey(String value) {
    b.clientKey(ConfigParser.chain(prefix + "client.key", value, ip));
  }

  /**
   * The page-size rule the keys describe, on top of {@code base}; null when an endpoint rule sets
   * none (it inherits the default rule's).
   */
  private @Nullable PageSizeRule pageSize(PageSizeRule base) {
    boolean any =
        pageSizeEnabled != null
            || parameters != null
            || defaultSize != null
            || maxSize != null
            || onInvalid != null;
    if (!any) {
      return isDefault ? base : null;
    }
    if (pageSizeEnabled != null && !pageSizeEnabled) {
      return PageSizeRule.disabled();
    }
    List<String> names = parameters != null ? parameters : base.parameters();
    int max = maxSize != null ? maxSize : base.maxSize();
    int dflt = defaultSize != null ? defaultSize : Math.min(base.defaultSize(), max);
    if (dflt > max) {
      throw ConfigException.invalid(
          prefix + "page-size.default",
          String.valueOf(dflt),
          "is above the maximum page size " + max);
    }
    try {
      return PageSizeRule.of(names, dflt, max, onInvalid != null ? onInvalid : base.onInvalid());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(prefix + "page-size.parameters", e.getMessage());
    }
  }
}
