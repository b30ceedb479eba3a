package dev.tollgate.benchmarks;

/**
 * Client keys as an adapter would see them: IPv4 addresses (so that the full engine can resolve
 * them with its default {@code ip} key), built once before any measurement.
 */
final class Keys {

  private Keys() {}

  /** {@code n} distinct addresses (up to 2^24), {@code 10.0.0.0}, {@code 10.0.0.1} and so on. */
  static String[] create(int n) {
    if (n > 1 << 24) {
      throw new IllegalArgumentException("at most 2^24 keys");
    }
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "10." + (i >>> 16) + '.' + ((i >>> 8) & 0xff) + '.' + (i & 0xff);
    }
    return keys;
  }
}
