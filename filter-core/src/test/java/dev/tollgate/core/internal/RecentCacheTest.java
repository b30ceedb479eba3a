package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The two-way cache answers only what was put under the same hash and key, and keeps the recent
 * two.
 */
class RecentCacheTest {

  @Test
  void aValueIsFoundUnderItsHashAndKeyOnly() {
    RecentCache<String> cache = new RecentCache<>(8);
    cache.put(42, "a", "value of a");
    assertEquals("value of a", cache.get(42, "a"));
    assertNull(cache.get(42, "b"), "same hash, other key");
    assertNull(cache.get(43, "a"), "same key, other hash");
  }

  @Test
  void aSetKeepsItsTwoMostRecentEntries() {
    RecentCache<String> cache = new RecentCache<>(1); // one set: every entry competes
    cache.put(1, null, "one");
    cache.put(2, null, "two");
    assertEquals("one", cache.get(1, null), "two fit");
    cache.put(3, null, "three"); // pushes out two, the less recent since one was just read
    assertEquals("one", cache.get(1, null));
    assertEquals("three", cache.get(3, null));
    assertNull(cache.get(2, null));
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
