package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The four-way cache answers only what was put under the same hash and key, and keeps the entries
 * found again over those seen once.
 */
class RecentCacheTest {

  /** A cache of one set (every entry competes) holding keys 1 to 4, none found yet. */
  private static RecentCache<String> oneFullSet() {
    RecentCache<String> cache = new RecentCache<>(1);
    for (int k = 1; k <= 4; k++) {
      cache.put(k, null, "v" + k);
    }
    return cache;
  }

  @Test
  void aValueIsFoundUnderItsHashAndKeyOnly() {
    RecentCache<String> cache = new RecentCache<>(8);
    cache.put(42, "a", "value of a");
    assertEquals("value of a", cache.get(42, "a"));
    assertNull(cache.get(42, "b"), "same hash, other key");
    assertNull(cache.get(43, "a"), "same key, other hash");
  }

  @Test
  void keysSeenOnceTakeOneAnothersPlacesNotThoseOfKeysFoundAgain() {
    RecentCache<String> cache = new RecentCache<>(1); // one set: every entry competes
    cache.put(1, null, "one");
    cache.put(2, null, "two");
    cache.put(3, null, "three");
    assertEquals("one", cache.get(1, null));
    assertEquals("two", cache.get(2, null));
    assertEquals("three", cache.get(3, null));
    for (int k = 100; k < 110; k++) {
      cache.put(k, null, "once " + k); // a flood of keys, each seen once
    }
    assertEquals("one", cache.get(1, null), "found again: kept through the flood");
    assertEquals("two", cache.get(2, null));
    assertEquals("three", cache.get(3, null));
    assertEquals("once 109", cache.get(109, null), "the flood's latest holds the fourth slot");
    assertNull(cache.get(108, null));
  }

  @Test
  void theFirstEntryNotFoundGivesWay() {
    RecentCache<String> cache = oneFullSet();
    assertEquals("v2", cache.get(2, null));
    assertEquals("v4", cache.get(4, null));
    cache.put(5, null, "v5"); // one and three were not found: one, the first, gives way
    assertNull(cache.get(1, null));
    assertEquals("v3", cache.get(3, null));
    assertEquals("v5", cache.get(5, null));
  }

  @Test
  void anEntryGivingWayLeavesTheOthersMarks() {
    RecentCache<String> cache = oneFullSet();
    for (int k = 2; k <= 4; k++) {
      assertEquals("v" + k, cache.get(k, null));
    }
    cache.put(5, null, "v5"); // in place of one, the only entry not found
    assertEquals("v5", cache.get(5, null));
    cache.put(6, null, "v6"); // all found again: the first gives way
    assertNull(cache.get(5, null));
    assertEquals("v2", cache.get(2, null), "still marked when five came in: kept");
    assertEquals("v3", cache.get(3, null));
    assertEquals("v4", cache.get(4, null));
    assertEquals("v6", cache.get(6, null));
  }

  @Test
  void whenEveryEntryWasFoundTheFirstGivesWayAndTheOthersStartAgainUnmarked() {
    RecentCache<String> cache = oneFullSet();
    for (int k = 1; k <= 4; k++) {
      assertEquals("v" + k, cache.get(k, null));
    }
    cache.put(5, null, "v5"); // every entry found: the first gives way, the others lose the mark
    assertNull(cache.get(1, null));
    assertEquals("v5", cache.get(5, null));
    cache.put(6, null, "v6"); // the first not found since: two
    assertNull(cache.get(2, null));
    assertEquals("v5", cache.get(5, null));
    assertEquals("v3", cache.get(3, null));
    assertEquals("v4", cache.get(4, null));
    assertEquals("v6", cache.get(6, null));
  }

  @Test
  void aKeyPutAgainReplacesItsOlderEntry() {
    // Else the older entry, first in the set, would be found and the newer never.
    RecentCache<String> cache = new RecentCache<>(1);
    cache.put(1, "a", "old a");
    cache.put(2, "b", "b");
    assertEquals("old a", cache.get(1, "a"));
    cache.put(1, "a", "new a");
    assertEquals("new a", cache.get(1, "a"));
    cache.put(7, null, "old seven"); // a key of its hash alone
    cache.put(7, null, "new seven");
    assertEquals("new seven", cache.get(7, null));
    assertEquals("b", cache.get(2, "b"), "the others stay");
  }

  @Test
  void aKeyPutAgainKeepsItsMark() {
    // A busy client's plan answer is put again each second: it must not become the next to go.
    RecentCache<String> cache = oneFullSet();
    assertEquals("v1", cache.get(1, null));
    cache.put(1, null, "v1 renewed");
    cache.put(5, null, "v5"); // in place of two, the first not found
    assertEquals("v1 renewed", cache.get(1, null));
    assertNull(cache.get(2, null));
  }

  @Test
  void anEntryACallerExtendsIsServedItself() {
    // The plans cache keeps its fields in its own entries: a copy would lose them.
    final class Stamped extends RecentCache.Entry<String> {
      final long stamp;

      Stamped(String key, String value, long stamp) {
        super(key.hashCode(), key, value);
        this.stamp = stamp;
      }
    }
    RecentCache<String> cache = new RecentCache<>(1); // one set
    Stamped a = new Stamped("a", "value of a", 7);
    cache.put(a);
    cache.put(2, "b", "value of b");
    cache.put(3, "c", "value of c");
    cache.put(4, "d", "value of d"); // the set is full beside "a"
    RecentCache.Entry<String> found = cache.entry("a".hashCode(), "a");
    assertSame(a, found);
    assertEquals(7, ((Stamped) found).stamp);
    assertEquals("value of a", cache.get("a".hashCode(), "a"));
    assertNull(cache.entry("a".hashCode(), "b"), "same hash, other key");
  }

  @Test
  void theNumberOfSetsIsAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new RecentCache<String>(3));
  }

  @Test
  void consecutiveHashesSpreadOverTheSets() {
    // String.hashCode gives keys that differ in their last character consecutive hashes: mixed,
    // 64 of them fill 64 sets without pushing one another out.
    RecentCache<String> cache = new RecentCache<>(64);
    for (int h = 0; h < 64; h++) {
      cache.put(h, "k" + h, "v" + h);
    }
    for (int h = 0; h < 64; h++) {
      assertEquals("v" + h, cache.get(h, "k" + h), "hash " + h);
    }
  }
}
