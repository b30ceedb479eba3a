package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a configuration error reads: the value echoed (escaped, shortened), the "did you mean" of a
 * misspelt key, the words a setting takes.
 */
class ConfigMessagesTest {

  private static String message(String... kv) {
    return assertThrows(ConfigException.class, () -> TollgateConfig.parse(props(kv))).getMessage();
  }

  @Test
  void aValueIsEchoedWithItsBlanksAndShortenedAfter200Characters() {
    assertEquals("k: 'a b' is wrong", ConfigException.invalid("k", "a b", "is wrong").getMessage());
    String longest = "v".repeat(200);
    assertEquals(
        "k: '" + longest + "' is wrong",
        ConfigException.invalid("k", longest, "is wrong").getMessage());
    assertEquals(
        "k: '" + longest + "...' is wrong",
        ConfigException.invalid("k", longest + "w", "is wrong").getMessage());
    assertEquals(
        "k: 'null' is missing", ConfigException.invalid("k", null, "is missing").getMessage());
  }

  @Test
  void aSingleWordIsListedAlone() {
    assertEquals("ietf", ConfigWords.oneOf(List.of("ietf")));
    assertEquals("ietf or teos", ConfigWords.oneOf(List.of("ietf", "teos")));
  }

  @Test
  void aRuleKeyWithoutARuleNameIsUnknown() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> TollgateConfig.parse(props("rules..limits", "5/1m")));

    assertEquals("rules..limits", e.key());
    assertEquals(
        "unknown key (a rule takes "
            + String.join(", ", new java.util.TreeSet<>(RuleParser.KEYS))
            + ")",
        e.reason());
  }

  @Test
  void aClientKeySourceWithoutItsNameIsNotAClientKey() {
    String expected =
        "is not a client key (expected header:<Name>, bearer, principal, ip or"
            + " class:<ClientKeyResolver class>)";
    assertEquals("client.key: 'class:' " + expected, message("client.key", "class:"));
    assertEquals("client.key: 'header:' " + expected, message("client.key", "header:"));
  }

  /** A client key an application computes, named with {@code class:}. */
  public static final class TenantKey implements ClientKeyResolver {
    public TenantKey() {}

    @Override
    public String resolve(RequestView request) {
      String tenant = request.header("X-Tenant");
      return tenant == null ? null : "tenant:" + tenant;
    }
  }

  @Test
  void aClientKeyClassIsCreatedAndAsked() {
    TollgateConfig c =
        TollgateConfig.parse(props("client.key", "class:" + TenantKey.class.getName() + ", ip"));

    assertEquals(
        "tenant:acme",
        ClientKeys.keyOf(c.clientKey(), TestRequest.get("/x").header("X-Tenant", "acme")));
    assertEquals(
        "client.key: 'java.lang.String' is not a dev.tollgate.core.ClientKeyResolver",
        message("client.key", "class:java.lang.String"));
  }

  @Test
  void aKeyWithSomethingAddedToItsEndSuggestsTheLongestKnownKeyItStartsWith() {
    assertEquals(
        "page-size.max",
        KeySuggestion.nearest("page-size.maximum", List.of("page-size", "page-size.max")));
    assertEquals("roles", KeySuggestion.nearest("roles-of-admins", List.of("roles")));
    assertNull(
        KeySuggestion.nearest("cost-of-admins", List.of("cost")), "too short a key to guess");
  }

  @Test
  void ofTwoKeysEquallyNearTheFirstIsSuggested() {
    assertEquals("limits", KeySuggestion.nearest("lmits", List.of("limits", "lmit")));
  }

  @Test
  void theDistanceCountsEditsAndASwapAsOne() {
    assertEquals(3, KeySuggestion.distance("abc", "x"));
    assertEquals(3, KeySuggestion.distance("", "abc"));
    assertEquals(1, KeySuggestion.distance("ab", "ba"));
    assertEquals(1, KeySuggestion.distance("limtis", "limits"));
    assertEquals(3, KeySuggestion.distance("kitten", "sitting"));
    assertEquals(2, KeySuggestion.distance("abcd", "badc"));
    assertEquals(0, KeySuggestion.distance("aab", "aab"));
  }
}
