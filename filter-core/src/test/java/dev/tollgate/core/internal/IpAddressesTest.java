package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IP literals as peers and proxies send them, parsed without DNS; and IPv6 client keys at every
 * kind of prefix length: within a byte, at a byte's edge, across 16-bit groups. Expected values
 * computed independently (Python's {@code ipaddress}).
 */
class IpAddressesTest {

  private static final String ALL_ONES = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  private static final String MIXED = "2001:db8:89ab:cdef:123:4567:89ab:cdef";

  @ParameterizedTest
  @CsvSource({
    "1, 8000:0:0:0:0:0:0:0/1, 0:0:0:0:0:0:0:0/1",
    "7, fe00:0:0:0:0:0:0:0/7, 2000:0:0:0:0:0:0:0/7",
    "8, ff00:0:0:0:0:0:0:0/8, 2000:0:0:0:0:0:0:0/8",
    "9, ff80:0:0:0:0:0:0:0/9, 2000:0:0:0:0:0:0:0/9",
    "15, fffe:0:0:0:0:0:0:0/15, 2000:0:0:0:0:0:0:0/15",
    "16, ffff:0:0:0:0:0:0:0/16, 2001:0:0:0:0:0:0:0/16",
    "17, ffff:8000:0:0:0:0:0:0/17, 2001:0:0:0:0:0:0:0/17",
    "33, ffff:ffff:8000:0:0:0:0:0/33, 2001:db8:8000:0:0:0:0:0/33",
    "63, ffff:ffff:ffff:fffe:0:0:0:0/63, 2001:db8:89ab:cdee:0:0:0:0/63",
    "64, ffff:ffff:ffff:ffff:0:0:0:0/64, 2001:db8:89ab:cdef:0:0:0:0/64",
    "65, ffff:ffff:ffff:ffff:8000:0:0:0/65, 2001:db8:89ab:cdef:0:0:0:0/65",
    "100, ffff:ffff:ffff:ffff:ffff:ffff:f000:0/100, 2001:db8:89ab:cdef:123:4567:8000:0/100",
    "127, ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127, 2001:db8:89ab:cdef:123:4567:89ab:cdee/127"
  })
  void anIpv6AddressKeepsExactlyItsFirstBits(int bits, String allOnes, String mixed)
      throws Exception {
    assertEquals(allOnes, IpAddresses.clientKey(InetAddress.getByName(ALL_ONES), bits));
    assertEquals(mixed, IpAddresses.clientKey(InetAddress.getByName(MIXED), bits));
  }

  @Test
  void aWholeIpv6AddressAndAnIpv4AddressAreKeptAsTheyAre() throws Exception {
    assertEquals(
        "2001:db8:89ab:cdef:123:4567:89ab:cdef",
        IpAddresses.clientKey(InetAddress.getByName(MIXED), 128));
    assertEquals("192.0.2.255", IpAddresses.clientKey(InetAddress.getByName("192.0.2.255"), 1));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1.2.3.4 | 1.2.3.4",
        "203.0.113.7 | 203.0.113.7",
        "255.255.255.255 | 255.255.255.255",
        "0.0.0.0 | 0.0.0.0",
        "' 198.51.100.255 ' | 198.51.100.255",
        "198.51.100.255:8080 | 198.51.100.255",
        "'\"192.0.2.1\"' | 192.0.2.1",
        "'\"[2001:db8::1]:4711\"' | 2001:db8:0:0:0:0:0:1",
        "[2001:db8::1] | 2001:db8:0:0:0:0:0:1",
        "[::1]:8080 | 0:0:0:0:0:0:0:1",
        "fe80::1%eth0 | fe80:0:0:0:0:0:0:1",
        "::ffff:192.0.2.1 | 192.0.2.1"
      })
  void anIpLiteralIsParsedWithOrWithoutPortBracketsQuotesAndZone(String text, String address) {
    InetAddress parsed = IpAddresses.parse(text);
    assertEquals(address, parsed == null ? null : parsed.getHostAddress(), text);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a.b.c.d", // letters where digits belong
        "10-20-30-40", // other separators
        "10..20.30", // an empty part
        "10.20.30", // three parts
        "10.20.30.", // a trailing dot
        "10.20.30.40.50", // five parts
        "1.2.3.256", // a part above 255
        "' 256.1.1.1 '",
        "1.2.3.4:80:90",
        "[2001:db8::1", // no closing bracket
        "[2001:db8::1]x", // no port after it
        "[2001:db8::1]:", // an empty port
        "'\"'", // a lone quote
        "localhost", // a host name is never resolved
        "''",
        "'   '",
        "user:alice",
        "key:0123456789abcdef"
      })
  void anythingButAnIpLiteralIsNull(String text) {
    assertNull(IpAddresses.parse(text), text);
  }

  @Test
  void aLiteralOf64CharactersIsParsedButNotOneOf65() {
    String zoned = "fe80::1%" + "z".repeat(56);
    assertEquals(64, zoned.length());
    assertEquals("fe80:0:0:0:0:0:0:1", IpAddresses.parse(zoned).getHostAddress());
    assertNull(IpAddresses.parse(zoned + "z"));
  }

  @Test
  void anAddressWithOrWithoutAPrefixLooksLikeAnAddressAndAClientKeyDoesNot() {
    assertTrue(IpAddresses.looksLikeAddress("10.0.0.0/8"));
    assertTrue(IpAddresses.looksLikeAddress("2001:db8::/32"));
    assertTrue(IpAddresses.looksLikeAddress("192.0.2.1"));
    assertFalse(IpAddresses.looksLikeAddress("user:alice"));
    assertFalse(IpAddresses.looksLikeAddress("key:abc/def"));
  }
}
