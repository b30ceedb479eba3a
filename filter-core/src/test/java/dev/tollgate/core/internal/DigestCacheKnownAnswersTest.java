package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cache's tag is SipHash-1-3 of the string's UTF-16LE bytes: known answers under the reference
 * key 00..0f, computed by an independent implementation of the SipHash paper (checked against its
 * SipHash-2-4 test vectors), for every length modulo four and for code units above 0x7fff.
 */
class DigestCacheKnownAnswersTest {

  private static final long K0 = 0x0706050403020100L;
  private static final long K1 = 0x0f0e0d0c0b0a0908L;

  @ParameterizedTest
  @CsvSource({
    "'', -6076480319675972388",
    "a, 3215558955523526303",
    "abc, 2900273528012558352",
    "abcd, 7460034166978740235",
    "abcde, 3953101877487328222",
    "secret-12345, -7239998711762496377",
  })
  void sipHash13MatchesTheReference(String input, long expected) {
    assertEquals(expected, DigestCache.sipHash13(K0, K1, input));
  }

  @org.junit.jupiter.api.Test
  void sipHash13ReadsHighCodeUnitsUnsigned() {
    assertEquals(
        4067843678468423088L, DigestCache.sipHash13(K0, K1, "\u00e9\u20ac\uffff\ud83d\ude00x"));
  }
}
