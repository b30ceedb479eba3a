package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Suspensions on their own: which client and IP keys an entry covers, what {@link
 * Suspensions#entries()} lists and {@link Suspensions#lift} removes, and the entries refused.
 * Through the engine (403, not counted) in {@link OperationsTest}.
 */
class SuspensionsTest {

  private final Suspensions suspensions = new Suspensions();

  @Test
  void isEmptyFollowsEveryEdit() {
    assertTrue(suspensions.isEmpty());
    suspensions.suspend("user:mallory");
    assertFalse(suspensions.isEmpty());
    suspensions.lift("user:mallory");
    assertTrue(suspensions.isEmpty());
    suspensions.suspend("203.0.113.0/24");
    assertFalse(suspensions.isEmpty());
    suspensions.lift("203.0.113.0/24");
    assertTrue(suspensions.isEmpty());
    suspensions.replaceConfigured(List.of("user:mallory", "198.51.100.0/28"));
    assertFalse(suspensions.isEmpty());
    suspensions.lift("user:mallory");
    assertFalse(suspensions.isEmpty(), "the configured range is still in force");
    suspensions.lift("198.51.100.0/28");
    assertTrue(suspensions.isEmpty());
    suspensions.replaceConfigured(List.of("user:mallory"));
    suspensions.replaceConfigured(List.of());
    assertTrue(suspensions.isEmpty(), "a reload without entries");
  }

  @Test
  void aSuspendedKeyCoversThatClientOnly() {
    suspensions.suspend("user:mallory");
    assertTrue(suspensions.covers("user:mallory", "ip:198.51.100.1"));
    assertFalse(suspensions.covers("user:alice", "ip:198.51.100.1"));
    assertFalse(suspensions.covers("user:alice", null), "no IP known: only the key can match");
    assertFalse(suspensions.covers("user:alice", "user:alice"), "an IP key starts with ip:");
  }

  @Test
  void aSuspendedIpKeyCoversItsAddressWhateverTheClientKey() {
    suspensions.suspend("ip:198.51.100.7");
    assertTrue(suspensions.covers("user:alice", "ip:198.51.100.7"));
    assertFalse(suspensions.covers("user:alice", "ip:198.51.100.8"));

    Suspensions configured = new Suspensions();
    configured.replaceConfigured(List.of("ip:198.51.100.7"));
    assertTrue(configured.covers("user:alice", "ip:198.51.100.7"));
  }

  @Test
  void aSuspendedRangeCoversEveryAddressInItAndNoOther() {
    suspensions.suspend("203.0.113.0/24");
    assertTrue(suspensions.covers("user:alice", "ip:203.0.113.99"));
    assertFalse(suspensions.covers("user:alice", "ip:203.0.114.1"));
    assertFalse(suspensions.covers("user:alice", "ip:not-an-address"));
    suspensions.suspend("2001:db8::/32");
    assertTrue(suspensions.covers("user:alice", "ip:2001:db8::/64"), "an IPv6 client's prefix");
    assertFalse(suspensions.covers("user:alice", "ip:2001:db9::/64"));
  }

  @Test
  void entriesListsConfiguredAndAddedKeysAndRanges() {
    suspensions.replaceConfigured(List.of("user:mallory", "203.0.113.0/24"));
    suspensions.suspend("token:abc");
    suspensions.suspend("198.51.100.0/28");
    assertEquals(
        List.of("user:mallory", "token:abc", "203.0.113.0/24", "198.51.100.0/28"),
        suspensions.entries());
  }

  @Test
  void liftRemovesAnAddedOrConfiguredRangeAndSaysWhetherItRemovedAnything() {
    suspensions.replaceConfigured(List.of("203.0.113.0/24"));
    suspensions.suspend("198.51.100.0/28");
    suspensions.suspend("192.0.2.0/24");
    assertTrue(suspensions.lift("198.51.100.0/28"), "an added range");
    assertFalse(suspensions.covers("user:alice", "ip:198.51.100.1"));
    assertTrue(suspensions.covers("user:alice", "ip:192.0.2.1"), "the other added range stays");
    assertTrue(suspensions.lift("192.0.2.0/24"));
    assertTrue(suspensions.lift(" 203.0.113.0/24 "), "a configured range, trimmed");
    assertFalse(suspensions.covers("user:alice", "ip:203.0.113.1"));
    assertFalse(suspensions.lift("203.0.113.0/24"), "already lifted");
    assertFalse(suspensions.lift("user:nobody"));
    assertEquals(List.of(), suspensions.entries());
  }

  @Test
  void isEmptyOnlyWithNoEntryOfAnyKind() {
    assertTrue(suspensions.isEmpty());
    suspensions.suspend("user:mallory");
    assertFalse(suspensions.isEmpty(), "an added key");
    suspensions.lift("user:mallory");
    suspensions.suspend("203.0.113.0/24");
    assertFalse(suspensions.isEmpty(), "an added range");
    suspensions.lift("203.0.113.0/24");
    assertTrue(suspensions.isEmpty());

    suspensions.replaceConfigured(List.of("user:mallory"));
    assertFalse(suspensions.isEmpty(), "a configured key");
    suspensions.replaceConfigured(List.of("203.0.113.0/24"));
    assertFalse(suspensions.isEmpty(), "a configured range");
    suspensions.replaceConfigured(List.of());
    assertTrue(suspensions.isEmpty());
  }

  @Test
  void anEntryOfUpTo200CharactersWithoutSpacesIsAccepted() {
    String longest = "key:" + "a".repeat(196);
    suspensions.suspend(longest);
    assertTrue(suspensions.covers(longest, null));
    ConfigException tooLong =
        assertThrows(ConfigException.class, () -> suspensions.suspend(longest + "a"));
    assertEquals("suspended", tooLong.key());
    assertThrows(ConfigException.class, () -> suspensions.suspend("user:a b"));
    assertThrows(ConfigException.class, () -> suspensions.suspend("  "));
  }
}
