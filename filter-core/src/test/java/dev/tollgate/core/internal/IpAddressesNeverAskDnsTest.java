package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text made of IP-literal characters that {@link InetAddress#getByName} does not take for a literal
 * (it starts with a dot) is no address, and is never looked up: a forwarded header could otherwise
 * make every request wait for DNS. Runs in its own JVM (filter-core's pom) whose names come from a
 * hosts file that names these texts, so a look-up would answer instead of failing unseen.
 */
class IpAddressesNeverAskDnsTest {

  @BeforeAll
  static void namesComeFromTheHostsFile() throws Exception {
    assumeTrue(System.getProperty("jdk.net.hosts.file") != null, "run by its own execution");
    assertEquals("127.0.0.2", InetAddress.getByName(".:").getHostAddress());
  }

  @ParameterizedTest
  @ValueSource(strings = {".:", "..:1", ".::1", ".1:2", ".ffff:1.2.3.4", " .: ", "\".:\""})
  void textStartingWithADotIsNoAddress(String text) {
    assertNull(IpAddresses.parse(text));
  }
}
