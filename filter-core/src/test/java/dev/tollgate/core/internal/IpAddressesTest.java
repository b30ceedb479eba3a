package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IPv6 client keys at every kind of prefix length: within a byte, at a byte's edge, across 16-bit
 * groups. Expected values computed independently (Python's {@code ipaddress}).
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
}
