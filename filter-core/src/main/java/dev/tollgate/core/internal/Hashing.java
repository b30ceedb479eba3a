package dev.tollgate.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** One-way digests for secrets used as client keys. Internal. */
public final class Hashing {

  /** Cloned per digest: far cheaper than {@code MessageDigest.getInstance}'s provider look-up. */
  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError("SHA-256 is required of every Java platform");
    }
  }

  private Hashing() {}

  /** The first 128 bits of SHA-256, base64url without padding (22 characters). */
  public static String digest(String secret) {
    MessageDigest sha;
    try {
      sha = (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    byte[] hash = sha.digest(secret.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16));
  }
}
