package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.internal.Hashing;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Who a request counts against. */
class ClientKeysTest {

  private static final ClientKeyResolver APIKEY_THEN_IP =
      ClientKeys.firstOf(List.of(ClientKeys.header("X-Api-Key"), ClientKeys.ip()));

  private static ClientKeyResolver ipBehind(String... proxies) {
    return ClientKeys.firstOf(List.of(ClientKeys.ip(List.of(proxies), 64)));
  }

  private static TestRequest from(String peer) {
    return TestRequest.get("/x").from(peer);
  }

  // ---- sources
  // ------------------------------------------------------------------------------------

  @Test
  void anApiKeyHeaderIsHashedSoTheRawKeyNeverAppears() {
    String key = APIKEY_THEN_IP.resolve(from("203.0.113.7").header("X-Api-Key", "sk_live_abc123"));
    assertEquals("key:" + Hashing.digest("sk_live_abc123"), key);
    assertFalse(key.contains("sk_live_abc123"));
    assertEquals(
        key,
        APIKEY_THEN_IP.resolve(from("198.51.100.1").header("x-api-key", " sk_live_abc123 ")),
        "the same key from another address and with spaces is the same client");
  }

  @Test
  void aBearerTokenIsHashed() {
    ClientKeyResolver bearer =
        ClientKeys.firstOf(List.of(ClientKeys.bearerToken(), ClientKeys.ip()));
    assertEquals(
        "token:" + Hashing.digest("eyJhbGciOi.x.y"),
        bearer.resolve(from("203.0.113.7").header("Authorization", "Bearer eyJhbGciOi.x.y")));
    assertEquals(
        "token:" + Hashing.digest("t0k"),
        bearer.resolve(from("203.0.113.7").header("Authorization", "bearer t0k")));
    assertEquals(
        "ip:203.0.113.7",
        bearer.resolve(from("203.0.113.7").header("Authorization", "Basic dXNlcjpwdw==")),
        "other schemes fall through");
    assertEquals(
        "ip:203.0.113.7", bearer.resolve(from("203.0.113.7").header("Authorization", "Bearer ")));
  }

  @Test
  void thePrincipalNameIsTheKeyOfAnAuthenticatedRequest() {
    ClientKeyResolver principal =
        ClientKeys.firstOf(List.of(ClientKeys.principal(), ClientKeys.ip()));
    assertEquals("user:alice", principal.resolve(from("203.0.113.7").principal("alice")));
    assertEquals("ip:203.0.113.7", principal.resolve(from("203.0.113.7")));
  }

  @Test
  void theChainFallsBackFromTheApiKeyToTheAddress() {
    assertEquals("ip:203.0.113.7", APIKEY_THEN_IP.resolve(from("203.0.113.7")));
    assertEquals(
        "ip:203.0.113.7", APIKEY_THEN_IP.resolve(from("203.0.113.7").header("X-Api-Key", "  ")));
  }

  @Test
  void aRequestNoResolverCanIdentifyIsAnonymous() {
    ClientKeyResolver onlyKey = ClientKeys.firstOf(List.of(ClientKeys.header("X-Api-Key")));
    assertEquals(ClientKeys.ANONYMOUS, onlyKey.resolve(from("203.0.113.7")));
    assertEquals(
        ClientKeys.ANONYMOUS, ClientKeys.firstOf(List.of(ClientKeys.ip())).resolve(from(null)));
    assertEquals(
        ClientKeys.ANONYMOUS,
        ClientKeys.firstOf(List.of(ClientKeys.ip())).resolve(from("not-an-ip")));
  }

  @Test
  void keysFromDifferentSourcesNeverCollide() {
    String fromHeader =
        APIKEY_THEN_IP.resolve(from("203.0.113.7").header("X-Api-Key", "ip:203.0.113.7"));
    assertNotEquals("ip:203.0.113.7", fromHeader);
    ClientKeyResolver principal = ClientKeys.firstOf(List.of(ClientKeys.principal()));
    assertNotEquals(
        "ip:203.0.113.7", principal.resolve(from("1.1.1.1").principal("ip:203.0.113.7")));
  }

  @Test
  void keysLongerThan128CharactersAreHashed() {
    ClientKeyResolver principal = ClientKeys.firstOf(List.of(ClientKeys.principal()));
    String name = "u".repeat(300);
    String key = principal.resolve(from("1.1.1.1").principal(name));
    assertTrue(key.length() <= ClientKeys.MAX_KEY_LENGTH, key);
    assertFalse(key.contains("uuuuuuuuuu"), key);
    assertNotEquals(
        key,
        principal.resolve(from("1.1.1.1").principal(name + "v")),
        "distinct long keys stay distinct");
    String exactly = "u".repeat(ClientKeys.MAX_KEY_LENGTH - 5);
    assertEquals(
        "user:" + exactly,
        principal.resolve(from("1.1.1.1").principal(exactly)),
        "128 characters are kept");
  }

  @Test
  void theBuiltInSourcesFindKeysThatNeedNoBounding() {
    // The chain skips its length and control-character check for these sources: their keys are
    // digests or addresses, whatever the request holds.
    String evil = "x".repeat(300) + "\r\nX-Injected: 1";
    List<String> keys =
        List.of(
            ClientKeys.header("X-Api-Key").resolve(from("1.1.1.1").header("X-Api-Key", evil)),
            ClientKeys.bearerToken()
                .resolve(from("1.1.1.1").header("Authorization", "Bearer " + evil)),
            ClientKeys.ip().resolve(from("203.0.113.7")),
            ClientKeys.ip().resolve(from("[2001:db8:1234:5678:9abc:def0:1234:5678%eth0]:8443")),
            ClientKeys.ip(List.of(), 128).resolve(from("2001:db8:1234:5678:9abc:def0:1234:5678")),
            ClientKeys.ip(List.of(), 128).resolve(from("::ffff:203.0.113.7")),
            ipBehind("10.0.0.0/8")
                .resolve(from("10.0.0.1").header("X-Forwarded-For", "2001:db8::1, 10.0.0.2")));
    for (String key : keys) {
      assertEquals(key, ClientKeys.bounded(key));
    }
  }

  @Test
  void aChainInAChainBoundsTheKeysOfItsOwnSources() {
    // The outer chain trusts the inner one to have bounded its keys.
    ClientKeyResolver nested =
        ClientKeys.firstOf(
            List.of(ClientKeys.firstOf(List.of(ClientKeys.principal())), ClientKeys.ip()));
    String key = nested.resolve(from("1.1.1.1").principal("ali\nce" + "e".repeat(300)));
    assertEquals(key, ClientKeys.bounded(key));
    assertTrue(key.startsWith("long:"), key);
    assertEquals("ip:1.1.1.1", ClientKeys.firstOf(List.of(ipBehind())).resolve(from("1.1.1.1")));
  }

  @Test
  void keysWithControlCharactersAreHashed() {
    ClientKeyResolver principal = ClientKeys.firstOf(List.of(ClientKeys.principal()));
    for (String evil :
        List.of("ali\nce", "bob\r\nX-Injected: 1", "nul\u0000", "del\u007f", "c1\u0085")) {
      String key = principal.resolve(from("1.1.1.1").principal(evil));
      assertFalse(key.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)), key);
      assertFalse(key.contains("Injected"), key);
    }
    ClientKeyResolver custom = ClientKeys.firstOf(List.of(r -> "custom\tkey"));
    assertFalse(custom.resolve(from("1.1.1.1")).contains("\t"));
  }

  @Test
  void theRawApiKeyNeverReachesTheStoreOrTheResponse() {
    Tollgate t =
        engine(
            FakeClock.at1800(),
            "limits",
            "2/1m",
            "client.key",
            "header:X-Api-Key, ip",
            "headers.dialects",
            "ietf, github, teos");
    TestRequest alice = from("203.0.113.7").header("X-Api-Key", "alice-secret");
    TestRequest bob = from("203.0.113.7").header("X-Api-Key", "bob-secret");
    assertEquals(2, admitted(t, alice, 5));
    assertEquals(2, admitted(t, bob, 5), "each API key has its own quota behind one address");
    Verdict v = t.check(alice);
    assertFalse(String.valueOf(v.headers()).contains("alice"));
    assertFalse(v.problemBody().contains("alice"));
    assertFalse(v.toString().contains("alice"));
    assertFalse(t.config().summary().contains("alice"));
  }

  // ---- proxies
  // ------------------------------------------------------------------------------------

  @Test
  void xForwardedForIsHonouredOnlyFromATrustedPeer() {
    ClientKeyResolver r = ipBehind("10.0.0.0/8");
    TestRequest viaProxies = from("10.0.0.1").header("X-Forwarded-For", "198.51.100.9, 10.0.0.2");
    assertEquals(
        "ip:198.51.100.9", r.resolve(viaProxies), "the nearest untrusted hop is the client");
    assertEquals(
        "ip:198.51.100.9",
        r.resolve(
            from("10.0.0.1")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-For", "198.51.100.9")),
        "several header fields are one list; a forged first entry is ignored");
    assertEquals(
        "ip:203.0.113.7",
        r.resolve(from("203.0.113.7").header("X-Forwarded-For", "198.51.100.9")),
        "a spoofed header from an untrusted peer is ignored");
    assertEquals(
        "ip:203.0.113.7",
        ClientKeys.firstOf(List.of(ClientKeys.ip()))
            .resolve(from("203.0.113.7").header("X-Forwarded-For", "198.51.100.9")),
        "no proxy is trusted by default");
  }

  @Test
  void forwardedIsHonouredFromATrustedPeerIncludingQuotedIpv6WithPort() {
    ClientKeyResolver r =
        ClientKeys.firstOf(List.of(ClientKeys.ip(List.of("10.0.0.0/8"), 128, "Forwarded")));
    assertEquals(
        "ip:2001:db8:0:0:0:0:0:1",
        r.resolve(from("10.0.0.1").header("Forwarded", "for=\"[2001:db8::1]:4711\";proto=https")));
    assertEquals(
        "ip:192.0.2.60",
        r.resolve(
            from("10.0.0.1")
                .header("Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43, for=10.0.0.5")));
    assertEquals(
        "ip:192.0.2.60",
        r.resolve(from("10.0.0.1").header("Forwarded", "For=\"192.0.2.60:8080\"")));
    assertEquals(
        "ip:203.0.113.7",
        r.resolve(from("203.0.113.7").header("Forwarded", "for=192.0.2.60")),
        "not from an untrusted peer");
  }

  @Test
  void aMalformedHopIsNeverTakenAsTheClient() {
    ClientKeyResolver r = ipBehind("10.0.0.0/8");
    for (String hops :
        List.of(
            "garbage, 10.0.0.2",
            "unknown",
            "_hidden, 10.0.0.2",
            "1.2.3.256",
            "",
            ",,,",
            "[::1",
            "[::1]x",
            "x".repeat(500))) {
      String key = r.resolve(from("10.0.0.1").header("X-Forwarded-For", hops));
      assertTrue(
          key.equals("ip:10.0.0.1") || key.equals("ip:10.0.0.2"),
          "'"
              + hops
              + "' gave "
              + key
              + ": a malformed hop falls back to the last trusted address");
    }
    String forwarded =
        ClientKeys.ip(List.of("10.0.0.0/8"), 64, "Forwarded")
            .resolve(from("10.0.0.1").header("Forwarded", "for=unknown"));
    assertEquals("ip:10.0.0.1", forwarded);
  }

  @Test
  void onlyTheHeaderTheProxiesWriteIsRead() {
    // A proxy that appends X-Forwarded-For but passes a client's Forwarded through untouched.
    ClientKeyResolver xff = ClientKeys.ip(List.of("10.0.0.0/8"), 64);
    assertEquals(
        "ip:198.51.100.9",
        xff.resolve(
            from("10.0.0.1")
                .header("Forwarded", "for=203.0.113.66")
                .header("X-Forwarded-For", "198.51.100.9")),
        "a Forwarded header the proxies do not write cannot name the client");
    ClientKeyResolver rfc = ClientKeys.ip(List.of("10.0.0.0/8"), 64, "Forwarded");
    assertEquals(
        "ip:198.51.100.9",
        rfc.resolve(
            from("10.0.0.1")
                .header("X-Forwarded-For", "203.0.113.66")
                .header("Forwarded", "for=198.51.100.9")));
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.ip(List.of(), 64, "X-Real-IP"));
  }

  @Test
  void anAllTrustedChainEndsAtTheOutermostProxy() {
    assertEquals(
        "ip:10.9.9.9",
        ipBehind("10.0.0.0/8")
            .resolve(from("10.0.0.1").header("X-Forwarded-For", "10.9.9.9, 10.0.0.2")));
  }

  @Test
  void ipv4WithAPortIsTheAddress() {
    assertEquals(
        "ip:198.51.100.9",
        ipBehind("10.0.0.1")
            .resolve(from("10.0.0.1").header("X-Forwarded-For", "198.51.100.9:5555")));
  }

  // ---- IPv6 grouping ----------------------------------------------------------------------------

  @Test
  void ipv6AddressesAreGroupedBySlash64ByDefault() {
    ClientKeyResolver r = ClientKeys.firstOf(List.of(ClientKeys.ip()));
    String a = r.resolve(from("2001:db8:1:2:aaaa::1"));
    assertEquals("ip:2001:db8:1:2:0:0:0:0/64", a);
    assertEquals(a, r.resolve(from("2001:db8:1:2:bbbb:cccc:dddd:eeee")));
    assertNotEquals(a, r.resolve(from("2001:db8:1:3::1")));
    assertEquals(a, r.resolve(from("[2001:db8:1:2::9]")), "brackets are accepted");
  }

  @ParameterizedTest
  @CsvSource({
    "56, 2001:db8:1:2ff::1, 2001:db8:1:200::1, true",
    "56, 2001:db8:1:2ff::1, 2001:db8:1:300::1, false",
    "128, 2001:db8::1, 2001:db8::2, false",
    "128, 2001:db8::1, 2001:db8:0:0:0:0:0:1, true",
    "48, 2001:db8:1:ffff::, 2001:db8:1::, true"
  })
  void theIpv6PrefixIsConfigurable(int bits, String a, String b, boolean same) {
    TollgateConfig c =
        TollgateConfig.parse(Fixtures.props("client.ipv6-prefix", Integer.toString(bits)));
    assertEquals(same, c.clientKey().resolve(from(a)).equals(c.clientKey().resolve(from(b))));
  }

  @Test
  void anIpv4MappedIpv6AddressIsTheIpv4Address() {
    ClientKeyResolver r = ipBehind("10.0.0.0/8");
    assertEquals("ip:192.0.2.1", r.resolve(from("::ffff:192.0.2.1")));
    assertEquals("ip:192.0.2.1", r.resolve(from("192.0.2.1")));
    assertEquals(
        "ip:198.51.100.9",
        r.resolve(from("::ffff:10.0.0.1").header("X-Forwarded-For", "198.51.100.9")),
        "a mapped peer matches an IPv4 trusted range");
  }

  @Test
  void anIpv6ProxyRangeIsTrusted() {
    ClientKeyResolver r = ipBehind("2001:db8::/32");
    assertEquals(
        "ip:198.51.100.9",
        r.resolve(from("2001:db8:ffff::1").header("X-Forwarded-For", "198.51.100.9")));
    assertEquals(
        "ip:2001:db9:0:0:0:0:0:0/64",
        r.resolve(from("2001:db9::1").header("X-Forwarded-For", "198.51.100.9")));
  }

  @Test
  void invalidResolverSettingsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.ip(List.of(), 0));
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.ip(List.of(), 129));
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.ip(List.of("10.0.0.0/33"), 64));
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.ip(List.of("::/129"), 64));
    assertThrows(IllegalArgumentException.class, () -> ClientKeys.firstOf(List.of()));
  }

  @Test
  void theResolverNeverLooksUpHostNames() {
    assertNull(dev.tollgate.core.internal.IpAddresses.parse("localhost"));
    assertNull(dev.tollgate.core.internal.IpAddresses.parse("example.com"));
  }

  @Test
  void aTrustedProxysRequestsAreResolvedEachTimeWhileOtherPeersAreRemembered() {
    ClientKeyResolver r = ipBehind("10.0.0.0/8");
    assertEquals(
        "ip:198.51.100.9", r.resolve(from("10.0.0.1").header("X-Forwarded-For", "198.51.100.9")));
    assertEquals(
        "ip:198.51.100.10",
        r.resolve(from("10.0.0.1").header("X-Forwarded-For", "198.51.100.10")),
        "the same proxy forwarding another client: not the first client's remembered key");
    assertEquals("ip:10.0.0.1", r.resolve(from("10.0.0.1")), "the proxy itself, forwarding nobody");
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3_000; i++) {
        String peer = "203.0." + (i >> 8) + "." + (i & 0xff);
        assertEquals(
            "ip:" + peer,
            r.resolve(from(peer).header("X-Forwarded-For", "198.51.100.9")),
            "an untrusted peer is its own client, remembered or not");
      }
    }
  }

  // ---- boundaries (mutation testing) -----------------------------------------------------------

  @Test
  void aKeyOf128CharactersIsKeptAnd129AreHashed() {
    String k128 = "k".repeat(ClientKeys.MAX_KEY_LENGTH);
    assertEquals(k128, ClientKeys.bounded(k128));
    String k129 = k128 + "k";
    assertEquals(ClientKeys.hashed("long:", k129), ClientKeys.bounded(k129));
  }

  @Test
  void controlCharactersAreExactlyC0DelAndC1() {
    for (char c : new char[] {0x00, 0x1f, 0x7f, 0x80, 0x9f}) {
      String key = "a" + c + "b";
      assertEquals(
          ClientKeys.hashed("esc:", key), ClientKeys.bounded(key), "U+" + Integer.toHexString(c));
    }
    for (char c : new char[] {0x20, 0x7e, 0xa0, 0xe9}) {
      String key = "a" + c + "b";
      assertEquals(key, ClientKeys.bounded(key), "U+" + Integer.toHexString(c));
    }
  }

  @Test
  void aBearerTokenOfOneCharacterCountsAndAnEmptyOneDoesNot() {
    ClientKeyResolver bearer = ClientKeys.bearerToken();
    assertEquals(
        "token:" + Hashing.digest("x"),
        bearer.resolve(from("203.0.113.7").header("Authorization", "Bearer x")));
    assertNull(bearer.resolve(from("203.0.113.7").header("Authorization", "Bearer  ")));
    assertNull(bearer.resolve(from("203.0.113.7").header("Authorization", "Bearer")));
  }

  @Test
  void aRememberedPeerKeyIsTheSameKeyAgain() {
    ClientKeyResolver ip = ClientKeys.ip();
    for (int i = 0; i < 3; i++) {
      assertEquals("ip:203.0.113.7", ip.resolve(from("203.0.113.7")), "call " + i);
      assertEquals("ip:2001:db8:1:2:0:0:0:0/64", ip.resolve(from("2001:db8:1:2::99")), "call " + i);
    }
  }

  @Test
  void thePrefixBoundsAreOneAndOneHundredTwentyEightBitsInclusive() {
    ClientKeyResolver oneBit = ClientKeys.ip(List.of(), 1);
    assertEquals("ip:0:0:0:0:0:0:0:0/1", oneBit.resolve(from("2001:db8::1")));
    assertEquals(oneBit.resolve(from("2001:db8::1")), oneBit.resolve(from("3fff::1")));
    assertEquals("ip:8000:0:0:0:0:0:0:0/1", oneBit.resolve(from("8000::1")));
    ClientKeyResolver whole = ClientKeys.ip(List.of(), 128);
    assertEquals("ip:2001:db8:0:0:0:0:0:1", whole.resolve(from("2001:db8::1")));
  }

  @Test
  void aPeerThatIsNoAddressHasNoKeyOfItsOwn() {
    ClientKeyResolver ip = ClientKeys.ip();
    assertNull(ip.resolve(from("not-an-address")));
    assertNull(ip.resolve(from("not-an-address")), "not remembered as a key either");
    assertEquals(
        ClientKeys.ANONYMOUS, ClientKeys.firstOf(List.of(ip)).resolve(from("not-an-address")));
  }
}
