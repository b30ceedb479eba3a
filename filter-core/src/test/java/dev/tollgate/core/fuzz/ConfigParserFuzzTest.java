package dev.tollgate.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any configuration either parses or fails with a ConfigException naming a key; nothing else
 * escapes.
 */
class ConfigParserFuzzTest {

  private static final List<String> KEYS =
      List.of(
          "client.key",
          "client.trusted-proxies",
          "client.ipv6-prefix",
          "headers.dialects",
          "headers.after-used-share",
          "store.type",
          "store.max-clients",
          "suspended",
          "status.path",
          "concurrency.max-per-client",
          "reload.interval",
          "limits",
          "cost",
          "count-rejected",
          "dry-run",
          "page-size.default",
          "page-size.max",
          "page-size.on-invalid",
          "page-size.parameters",
          "page-size.enabled",
          "rules.r.path",
          "rules.r.limits",
          "rules.r.methods",
          "rules.r.cost",
          "rules.r.client.key",
          "rules.r.page-size.max",
          "rules.r.on-store-failure",
          "rules.x.y",
          "store.redis.uri");

  @FuzzTest(maxDuration = "10s")
  void parse_eitherSucceedsOrNamesTheKey(FuzzedDataProvider data) {
    Map<String, String> props = new LinkedHashMap<>();
    int n = data.consumeInt(0, 6);
    for (int i = 0; i < n; i++) {
      String key = data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(20);
      props.put(key, data.consumeString(60));
    }
    try {
      TollgateConfig config = TollgateConfig.parse(props);
      config.summary();
    } catch (ConfigException e) {
      if (e.key() == null || e.getMessage() == null || !e.getMessage().startsWith(e.key() + ": ")) {
        throw new AssertionError("message does not start with the key: " + e.getMessage(), e);
      }
    }
  }
}
