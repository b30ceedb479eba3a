package dev.tollgate.core.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Parses IP literals without ever asking DNS. Internal. */
public final class IpAddresses {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  // First a hex digit or a colon: InetAddress.getByName takes only such text for a literal and
  // asks DNS for the rest (".:" passes a pattern of these characters alone).
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}");

  private IpAddresses() {}

  /**
   * Parses an IPv4 or IPv6 literal, with optional brackets, a port after an IPv4 address or a
   * bracketed IPv6 address, and an IPv6 zone; returns {@code null} for anything else (host names
   * included: this never resolves). An IPv4-mapped IPv6 address comes back as IPv4.
   */
  public static @Nullable InetAddress parse(@Nullable String text) {
    if (text == null) {
      return null;
    }
    byte[] v4 = plainIpv4(text);
    if (v4 != null) {
      // The common case (every request's peer address): no regex, no split.
      try {
        return InetAddress.getByAddress(v4);
      } catch (UnknownHostException e) {
        return null;
      }
    }
    String s = text.trim();
    if (s.length() > 64 || s.isEmpty()) {
      return null;
    }
    if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      String rest = s.substring(close + 1);
      if (!rest.isEmpty() && !rest.matches(":\\d{1,5}")) {
        return null;
      }
      s = s.substring(1, close);
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
      s = s.substring(0, s.indexOf(':')); // IPv4 with a port
    }
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (IPV4.matcher(s).matches()) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    } else if (!(s.indexOf(':') >= 0 && IPV6.matcher(s).matches())) {
      return null;
    }
    try {
      // Only literals reach this point, so no lookup happens.
      return InetAddress.getByName(s);
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The four bytes of a plain dotted-quad IPv4 literal such as {@code 203.0.113.7}; null for
   * anything else.
   */
  private static byte @Nullable [] plainIpv4(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return null;
    }
    byte[] out = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return null;
        }
      } else if (c == '.' && digits > 0 && part < 3) {
        out[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    if (part != 3 || digits == 0) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  /**
   * True if {@code text} (with an optional {@code /prefix}) is an IP literal rather than a client
   * key.
   */
  public static boolean looksLikeAddress(String text) {
    int slash = text.indexOf('/');
    return parse(slash < 0 ? text : text.substring(0, slash)) != null;
  }

  /** Keeps the first {@code bits} bits of the address. */
  public static byte[] mask(byte[] address, int bits) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  /**
   * The client key of an address: IPv4 as is, IPv6 reduced to its first {@code ipv6PrefixBits} bits
   * (clients in one /64 are usually one host or site).
   */
  public static String clientKey(InetAddress address, int ipv6PrefixBits) {
    if (address instanceof Inet4Address || ipv6PrefixBits >= 128) {
      return address.getHostAddress();
    }
    try {
      byte[] masked = mask(address.getAddress(), ipv6PrefixBits);
      return Inet6Address.getByAddress(masked).getHostAddress() + "/" + ipv6PrefixBits;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
