package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Address ranges of trusted proxies, suspensions and plan mappings: what they contain. */
class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.255.255.255, true",
    "10.0.0.0/8, 11.0.0.0, false",
    "192.0.2.1/32, 192.0.2.1, true",
    "192.0.2.1/32, 192.0.2.2, false",
    "192.0.2.1, 192.0.2.1, true",
    "192.0.2.1, 192.0.2.0, false",
    "0.0.0.0/0, 203.0.113.7, true",
    "192.0.2.128/25, 192.0.2.200, true",
    "192.0.2.128/25, 192.0.2.127, false",
    "::1/128, ::1, true",
    "::1/128, ::2, false",
    "2001:db8::/32, 2001:db8:ffff::1, true",
    "2001:db8::/32, 2001:db9::1, false",
    "10.0.0.0/8, ::ffff:10.1.2.3, true",
    "::/0, 10.0.0.1, false",
  })
  void aRangeContainsTheAddressesUnderItsPrefix(String range, String address, boolean contains)
      throws Exception {
    assertEquals(
        contains,
        Cidr.parse(range).contains(InetAddress.getByName(address)),
        range + " " + address);
  }

  @Test
  void aRangeIsShownAsWritten() {
    assertEquals("10.0.0.0/8", Cidr.parse(" 10.0.0.0/8 ").toString());
    assertEquals("2001:db8::/32", Cidr.parse("2001:db8::/32").toString());
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/33, has an invalid prefix length (expected 0 to 32)",
    "::1/129, has an invalid prefix length (expected 0 to 128)",
    "10.0.0.0/, has an invalid prefix length (expected 0 to 32)",
    "10.0.0.0/-1, has an invalid prefix length (expected 0 to 32)",
    "example.com/8, is not an IP address or range (expected e.g. 10.0.0.0/8 or ::1)",
    "/8, is not an IP address or range (expected e.g. 10.0.0.0/8 or ::1)",
  })
  void anInvalidRangeSaysWhatIsWrong(String range, String message) {
    assertEquals(
        message,
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(range)).getMessage());
  }

  @Test
  void aListEntryIsARangeOnlyIfItIsAnAddressWithOptionalPrefix() {
    assertNotNull(Cidr.rangeOrNull("10.0.0.0/8"));
    assertNotNull(Cidr.rangeOrNull("2001:db8::/32"));
    assertNotNull(Cidr.rangeOrNull("::1"));
    assertNull(Cidr.rangeOrNull("user:alice"));
    assertNull(Cidr.rangeOrNull("key:0123"));
    assertNull(Cidr.rangeOrNull("10.0.0.0/33"));
    assertNull(Cidr.rangeOrNull("alice"));
    assertTrue(Cidr.rangeOrNull("2001:db8::/32").contains(addr("2001:db8::7")));
    assertFalse(Cidr.rangeOrNull("2001:db8::/32").contains(addr("2001:db9::7")));
  }

  private static InetAddress addr(String literal) {
    return IpAddresses.parse(literal);
  }
}
