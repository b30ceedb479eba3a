package dev.tollgate.spring.boot;

import java.util.Arrays;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Where the filter goes in the servlet filter chain. Early, so that a rejected request costs the
 * application nothing; but {@code client.key=principal} reads {@code getUserPrincipal()}, which
 * Spring Security sets only for the filters after its own chain, so then it goes right after that
 * chain ({@code spring.security.filter.order}, -100 by default).
 */
final class TollgateFilterOrder {

  /** After Boot's character-encoding filter and its observation filter (HIGHEST_PRECEDENCE + 1). */
  static final int EARLY = Ordered.HIGHEST_PRECEDENCE + 10;

  /** Spring Security's {@code SecurityProperties.DEFAULT_FILTER_ORDER}. */
  private static final int SECURITY_DEFAULT_ORDER = -100;

  private TollgateFilterOrder() {}

  static int of(Map<String, String> keys, Environment environment) {
    if (!usesPrincipal(keys)) {
      return EARLY;
    }
    return environment.getProperty(
            "spring.security.filter.order", Integer.class, SECURITY_DEFAULT_ORDER)
        + 1;
  }

  /** True if the global {@code client.key} or a rule's names {@code principal}. */
  static boolean usesPrincipal(Map<String, String> keys) {
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String key = e.getKey().trim();
      if ((key.equals("client.key") || key.endsWith(".client.key"))
          && e.getValue() != null
          && Arrays.stream(e.getValue().split(",")).anyMatch(v -> v.trim().equals("principal"))) {
        return true;
      }
    }
    return false;
  }
}
