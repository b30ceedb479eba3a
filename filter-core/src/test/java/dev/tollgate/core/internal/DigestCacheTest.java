package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The digest cache answers exactly what hashing answers, however many secrets pass through it. */
class DigestCacheTest {

  @Test
  void aCachedDigestIsTheDigestOfTheSecret() {
    DigestCache cache = new DigestCache("key:");
    assertEquals("key:" + Hashing.digest("demo-key-1"), cache.digest("demo-key-1"));
    assertEquals(
        "key:" + Hashing.digest("demo-key-1"), cache.digest("demo-key-1"), "from the cache");
  }

  @Test
  void manyMoreSecretsThanSlotsEachGetTheirOwnDigest() {
    DigestCache cache = new DigestCache("token:");
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 20_000; i++) {
        String secret = "secret-" + i;
        assertEquals("token:" + Hashing.digest(secret), cache.digest(secret), secret);
      }
    }
  }

  @Test
  void theTagDependsOnTheKeyAndOnEveryCharacter() {
    assertNotEquals(DigestCache.sipHash13(1, 2, "abcd"), DigestCache.sipHash13(1, 3, "abcd"));
    Set<Long> tags = new HashSet<>();
    String[] inputs = {
      "",
      "a",
      "b",
      "ab",
      "ba",
      "abc",
      "abcd",
      "abcde",
      "abcdf",
      "Aa",
      "BB",
      "abcd\u0000",
      "\u0000abcd"
    };
    for (String s : inputs) {
      tags.add(DigestCache.sipHash13(1, 2, s));
    }
    assertEquals(inputs.length, tags.size(), "no two of these inputs share a tag");
    assertEquals(DigestCache.sipHash13(7, 8, "same"), DigestCache.sipHash13(7, 8, "same"));
  }
}
