package dev.tollgate.core.internal;

import java.net.InetAddress;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** An address range such as {@code 10.0.0.0/8} or {@code ::1/128}. Internal. */
public final class Cidr {

  private final byte[] network;
  private final int bits;
  private final String text;

  private Cidr(byte[] network, int bits, String text) {
    this.network = network;
    this.bits = bits;
    this.text = text;
  }

  /**
   * An entry of a list that mixes client keys and address ranges (suspensions, plan mappings): the
   * range it names, or null for a client key such as {@code key:...} or {@code user:...} or any
   * other text that is no range.
   */
  public static @Nullable Cidr rangeOrNull(String entry) {
    if (entry.contains(":") && !IpAddresses.looksLikeAddress(entry)) {
      return null;
    }
    try {
      return parse(entry);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Parses {@code address[/bits]}.
   *
   * @throws IllegalArgumentException if it is not an IP literal with an optional prefix length
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    InetAddress address = IpAddresses.parse(slash < 0 ? s : s.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException(
          "is not an IP address or range (expected e.g. 10.0.0.0/8 or ::1)");
    }
    int max = address.getAddress().length * 8;
    int bits = max;
    if (slash >= 0) {
      String b = s.substring(slash + 1);
      if (!b.matches("\\d{1,3}") || Integer.parseInt(b) > max) {
        throw new IllegalArgumentException(
            "has an invalid prefix length (expected 0 to " + max + ")");
      }
      bits = Integer.parseInt(b);
    }
    return new Cidr(IpAddresses.mask(address.getAddress(), bits), bits, s);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    return a.length == network.length && Arrays.equals(IpAddresses.mask(a, bits), network);
  }

  @Override
  public String toString() {
    return text;
  }
}
