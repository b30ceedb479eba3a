package dev.tollgate.core.internal;

import java.security.SecureRandom;

/**
 * Remembers the digests of recently seen secrets, so that a client sending the same API key again
 * costs no SHA-256. The secrets themselves are not kept: a slot holds the digest and a 64-bit tag,
 * SipHash-1-3 of the secret under a key drawn at random for this cache, which no client can know
 * and so no client can aim a collision at. Bounded (four-way set-associative, {@value #SETS} sets:
 * a new secret takes the place of one of its set's four not found lately, so at most about 8 MB)
 * and thread-safe without locks (slots hold entries of final values; a lost race only costs a
 * digest). Internal.
 */
public final class DigestCache {

  /**
   * Keys spread over sets at random, and a set's slots serve the keys that land in it in turn: with
   * 10,000 keys in use, 8,192 two-way sets left a third of them in sets of three or more, digested
   * on every request; 32,768 two-way sets left about 4%; 16,384 four-way sets (the same 65,536
   * entries) leave about 0.4%.
   */
  private static final int SETS = 16_384;

  private final String prefix;
  private final long k0;
  private final long k1;
  private final RecentCache<String> digests = new RecentCache<>(SETS);

  /** A cache of {@code prefix} followed by the digest of a secret, e.g. {@code key:}. */
  public DigestCache(String prefix) {
    this.prefix = prefix;
    SecureRandom random = new SecureRandom();
    this.k0 = random.nextLong();
    this.k1 = random.nextLong();
  }

  /** {@code prefix} followed by {@link Hashing#digest(String)} of {@code secret}. */
  public String digest(String secret) {
    long tag = sipHash13(k0, k1, secret);
    String digest = digests.get(tag, null);
    if (digest == null) {
      digest = prefix + Hashing.digest(secret);
      digests.put(tag, null, digest);
    }
    return digest;
  }

  /** SipHash-1-3 over the UTF-16 code units of {@code s}, four to a word, little-endian. */
  // Kept whole: a hash read top to bottom, per API-key request; a round cannot return 4 longs.
  public static long sipHash13(long k0, long k1, CharSequence s) {
    long v0 = k0 ^ 0x736f6d6570736575L;
    long v1 = k1 ^ 0x646f72616e646f6dL;
    long v2 = k0 ^ 0x6c7967656e657261L;
    long v3 = k1 ^ 0x7465646279746573L;
    int length = s.length();
    int whole = length & ~3;
    for (int i = 0; i < whole; i += 4) {
      long m =
          s.charAt(i)
              | (long) s.charAt(i + 1) << 16
              | (long) s.charAt(i + 2) << 32
              | (long) s.charAt(i + 3) << 48;
      v3 ^= m;
      // one compression round
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
      v0 ^= m;
    }
    // The last block: the remaining code units and the length (in bytes) in the top byte.
    long m = (long) (length * 2) << 56;
    for (int i = whole, shift = 0; i < length; i++, shift += 16) {
      m |= (long) s.charAt(i) << shift;
    }
    v3 ^= m;
    v0 += v1;
    v1 = Long.rotateLeft(v1, 13);
    v1 ^= v0;
    v0 = Long.rotateLeft(v0, 32);
    v2 += v3;
    v3 = Long.rotateLeft(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Long.rotateLeft(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Long.rotateLeft(v1, 17);
    v1 ^= v2;
    v2 = Long.rotateLeft(v2, 32);
    v0 ^= m;
    v2 ^= 0xff;
    for (int r = 0; r < 3; r++) { // three finalization rounds
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
    }
    return v0 ^ v1 ^ v2 ^ v3;
  }
}
