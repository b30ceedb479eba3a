package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The four-way cache answers only what was put under the same hash and key, and keeps the recent
 * four.
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
  void aSetKeepsItsFourMostRecentEntries() {
    RecentCache<String> cache = new RecentCache<>(1); // one set: every entry competes
    cache.put(1, null, "one");
    cache.put(2, null, "two");
    cache.put(3, null, "three");
    cache.put(4, null, "four");
    assertEquals("one", cache.get(1, null), "four fit; the oldest, read, becomes the most recent");
    cache.put(5, null, "five"); // pushes out two, now the least recent
    assertNull(cache.get(2, null));
    assertEquals("three", cache.get(3, null), "the least recent, read, becomes the most recent");
    cache.put(6, null, "six"); // pushes out four
    assertNull(cache.get(4, null));
    assertEquals("one", cache.get(1, null));
    assertEquals("three", cache.get(3, null));
    assertEquals("five", cache.get(5, null));
    assertEquals("six", cache.get(6, null));
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
    cache.put(4, "d", "value of d"); // "a" is now the set's last way
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
