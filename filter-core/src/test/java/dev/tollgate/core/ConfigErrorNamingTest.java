package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A refused value is named once, as written, whether the parser or a builder refused it. */
class ConfigErrorNamingTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "client.trusted-proxies | 10.0.0.0/33 | '10.0.0.0/33'",
        "client.forwarded-header | X-Real-IP | 'X-Real-IP'",
        "headers.after-used-share | 2 | '2'",
        "headers.after-used-share | half | 'half'",
        "headers.dialects | ietf, draft | 'draft'",
        "rules.x.methods | G3T | 'G3T'",
        "on-store-failure | maybe | 'maybe'"
      })
  void theValueIsNamedOnceAsWritten(String key, String value, String refused) {
    String named = "'" + refused + "'"; // CsvSource reads the quotes as its own
    Map<String, String> props =
        key.startsWith("rules.x.") ? Map.of("rules.x.path", "/x", key, value) : Map.of(key, value);
    ConfigException e = assertThrows(ConfigException.class, () -> TollgateConfig.parse(props));
    assertEquals(key, e.key());
    String message = e.getMessage();
    assertTrue(message.startsWith(key + ": " + named + " "), message);
    assertEquals(message.indexOf(named), message.lastIndexOf(named), "named once: " + message);
    assertFalse(message.contains("'2.0'") || message.contains("'NaN'"), message);
  }
}
