package dev.tollgate.core;

import dev.tollgate.core.internal.Cidr;
import dev.tollgate.core.internal.DigestCache;
import dev.tollgate.core.internal.Hashing;
import dev.tollgate.core.internal.IpAddresses;
import dev.tollgate.core.internal.RecentCache;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@link ClientKeyResolver}s. Keys carry a prefix naming their source ({@code key:},
 * {@code token:}, {@code user:}, {@code ip:}), so an API key can never collide with an address.
 * Secrets (API keys, bearer tokens) are reduced to a SHA-256 digest before they are stored or
 * logged.
 */
public final class ClientKeys {

  /** The key of requests no resolver in a chain could identify: they share one quota. */
  public static final String ANONYMOUS = "anonymous";

  /** Client keys longer than this are replaced by their digest, so a key's size is bounded. */
  public static final int MAX_KEY_LENGTH = 128;

  private ClientKeys() {}

  /** The value of an API-key header, hashed, e.g. {@code header("X-Api-Key")}. */
  public static ClientKeyResolver header(String headerName) {
    Objects.requireNonNull(headerName, "headerName");
    DigestCache digests = new DigestCache("key:");
    return new Named(
        "header:" + headerName,
        request -> {
          String value = request.header(headerName);
          return value == null || value.isBlank() ? null : digests.digest(value.trim());
        },
        true);
  }

  /** The token of an {@code Authorization: Bearer <token>} header, hashed. */
  public static ClientKeyResolver bearerToken() {
    DigestCache digests = new DigestCache("token:");
    return new Named(
        "bearer",
        request -> {
          String value = request.header("Authorization");
          if (value == null
              || value.length() < 8
              || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
          }
          String token = value.substring(7).trim();
          return token.isEmpty() ? null : digests.digest(token);
        },
        true);
  }

  /**
   * The authenticated principal's name; unauthenticated requests fall through to the next resolver.
   */
  public static ClientKeyResolver principal() {
    return new Named(
        "principal",
        request -> {
          String name = request.principalName();
          return name == null || name.isEmpty() ? null : "user:" + name;
        },
        false);
  }

  /**
   * The client's IP address. {@code Forwarded} and {@code X-Forwarded-For} are read only when the
   * direct peer is one of {@code trustedProxies}; then the nearest address in the chain that is not
   * itself a trusted proxy is the client. IPv6 addresses are grouped by their first {@code
   * ipv6PrefixBits} bits (128 keeps them whole).
   *
   * @throws IllegalArgumentException if a proxy is not an IP address or range, or the prefix is not
   *     between 1 and 128
   */
  public static ClientKeyResolver ip(List<String> trustedProxies, int ipv6PrefixBits) {
    return ip(trustedProxies, ipv6PrefixBits, "X-Forwarded-For");
  }

  /**
   * As {@link #ip(List, int)}, reading only {@code forwardedHeader} ({@code X-Forwarded-For} or
   * {@code Forwarded}): the one header the trusted proxies write. Reading a header they merely pass
   * through would let a client name its own address.
   *
   * @throws IllegalArgumentException for another header name
   */
  public static ClientKeyResolver ip(
      List<String> trustedProxies, int ipv6PrefixBits, String forwardedHeader) {
    boolean rfc7239;
    if (forwardedHeader.equalsIgnoreCase("X-Forwarded-For")) {
      rfc7239 = false;
    } else if (forwardedHeader.equalsIgnoreCase("Forwarded")) {
      rfc7239 = true;
    } else {
      throw new IllegalArgumentException(
          "'"
              + forwardedHeader
              + "' is not a forwarding header (expected X-Forwarded-For or Forwarded)");
    }
    if (ipv6PrefixBits < 1 || ipv6PrefixBits > 128) {
      throw new IllegalArgumentException(
          "IPv6 prefix must be between 1 and 128 but was " + ipv6PrefixBits);
    }
    List<Cidr> proxies = new ArrayList<>();
    for (String p : trustedProxies) {
      try {
        proxies.add(Cidr.parse(p));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + p + "' " + e.getMessage());
      }
    }
    return new Named("ip", new ClientIp(List.copyOf(proxies), ipv6PrefixBits, rfc7239), true);
  }

  /** The direct peer's address, trusting no proxy, IPv6 grouped by /64. */
  public static ClientKeyResolver ip() {
    return ip(List.of(), 64);
  }

  /**
   * Asks each resolver in turn and takes the first key found; a request none can identify counts as
   * {@link #ANONYMOUS}. Keys longer than {@link #MAX_KEY_LENGTH} or holding control characters are
   * replaced by their digest.
   */
  public static ClientKeyResolver firstOf(List<ClientKeyResolver> resolvers) {
    List<ClientKeyResolver> chain = List.copyOf(resolvers);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a client key chain needs at least one resolver");
    }
    if (chain.size() == 1 && chain.get(0) instanceof Chain only) {
      return only; // asks the same resolvers in the same order, one call fewer per request
    }
    return new Chain(chain);
  }

  /** {@code prefix} followed by the digest of {@code secret}: what to return for a secret key. */
  public static String hashed(String prefix, String secret) {
    return prefix + Hashing.digest(secret);
  }

  /** The client key {@code resolver} finds for a request, made safe to store. */
  static String keyOf(ClientKeyResolver resolver, RequestView request) {
    if (resolver instanceof Chain chain) {
      return chain.resolve(request); // bounded already, never null: not checked twice
    }
    String key = resolver.resolve(request);
    return key == null ? ANONYMOUS : keysBounded(resolver) ? key : bounded(key);
  }

  /**
   * True if every key {@code resolver} finds is safe to store as it is, so that {@link #bounded}
   * need not read it again: a digest or an address (short, without control characters), or the key
   * of a chain, which bounds its keys itself (the configuration wraps its parsed chain in another).
   */
  static boolean keysBounded(ClientKeyResolver resolver) {
    return resolver instanceof Named named ? named.keysBounded : resolver instanceof Chain;
  }

  /** Makes a resolver's answer safe to store: bounded length, no control characters. */
  static String bounded(String key) {
    if (key.length() > MAX_KEY_LENGTH) {
      return hashed("long:", key);
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        return hashed("esc:", key);
      }
    }
    return key;
  }

  static final class Named implements ClientKeyResolver {
    private final String name;
    private final ClientKeyResolver delegate;
    private final boolean keysBounded;

    /**
     * @param keysBounded whether every key {@code delegate} returns is a digest or an address (see
     *     {@link ClientKeys#keysBounded})
     */
    Named(String name, ClientKeyResolver delegate, boolean keysBounded) {
      this.name = name;
      this.delegate = delegate;
      this.keysBounded = keysBounded;
    }

    @Override
    public @Nullable String resolve(RequestView request) {
      return delegate.resolve(request);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final class Chain implements ClientKeyResolver {
    private final List<ClientKeyResolver> resolvers;

    /** Per resolver, whether its keys need no {@link ClientKeys#bounded} check. */
    private final boolean[] keysBounded;

    Chain(List<ClientKeyResolver> resolvers) {
      this.resolvers = resolvers;
      this.keysBounded = new boolean[resolvers.size()];
      for (int i = 0; i < keysBounded.length; i++) {
        keysBounded[i] = ClientKeys.keysBounded(resolvers.get(i));
      }
    }

    @Override
    public String resolve(RequestView request) { // never null: ANONYMOUS when no resolver knows
      for (int i = 0; i < resolvers.size(); i++) { // no iterator: this runs for every request
        String key = resolvers.get(i).resolve(request);
        if (key != null && !key.isEmpty()) {
          return keysBounded[i] ? key : bounded(key);
        }
      }
      return ANONYMOUS;
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      for (ClientKeyResolver r : resolvers) {
        s.append(s.length() == 0 ? "" : ", ").append(r);
      }
      return s.toString();
    }
  }

  static final class ClientIp implements ClientKeyResolver {
    private final List<Cidr> proxies;
    private final int ipv6PrefixBits;
    private final boolean rfc7239;

    /**
     * The keys of recent direct peers that are not trusted proxies: most requests skip parsing. As
     * many entries as the API-key digests have (see DigestCache): with 8,192 entries, most of
     * 10,000 clients shared a set with two others and were parsed on every request. At most about 9
     * MB.
     */
    private final RecentCache<String> peerKeys = new RecentCache<>(16_384);

    ClientIp(List<Cidr> proxies, int ipv6PrefixBits, boolean rfc7239) {
      this.proxies = proxies;
      this.ipv6PrefixBits = ipv6PrefixBits;
      this.rfc7239 = rfc7239;
    }

    @Override
    public @Nullable String resolve(RequestView request) {
      String remote = request.remoteAddress();
      if (remote == null) {
        return null; // as before: no cached key, and no address to parse
      }
      String known = peerKeys.get(remote.hashCode(), remote);
      if (known != null) {
        return known;
      }
      InetAddress peer = IpAddresses.parse(remote);
      if (peer == null) {
        return null;
      }
      if (trusted(peer)) {
        // Behind a trusted proxy the key depends on the forwarding headers: never cached.
        return "ip:" + IpAddresses.clientKey(walkForwardedChain(request, peer), ipv6PrefixBits);
      }
      String key = "ip:" + IpAddresses.clientKey(peer, ipv6PrefixBits);
      peerKeys.put(remote.hashCode(), remote, key);
      return key;
    }

    /**
     * From the nearest hop outwards, skip trusted proxies; the first other address is the client.
     */
    private InetAddress walkForwardedChain(RequestView request, InetAddress peer) {
      List<String> hops = forwardedHops(request, rfc7239);
      InetAddress last = peer;
      for (int i = hops.size() - 1; i >= 0; i--) {
        InetAddress hop = IpAddresses.parse(hops.get(i));
        if (hop == null) {
          return last; // a malformed hop was written by whoever is beyond the last proxy we trust
        }
        if (!trusted(hop)) {
          return hop;
        }
        last = hop;
      }
      return last;
    }

    private static List<String> forwardedHops(RequestView request, boolean rfc7239) {
      List<String> hops = new ArrayList<>();
      if (rfc7239) {
        List<String> forwarded = request.headers("Forwarded");
        for (String field : forwarded) {
          for (String element : field.split(",")) {
            String hop = "";
            for (String pair : element.split(";")) {
              int eq = pair.indexOf('=');
              if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                hop = pair.substring(eq + 1).trim();
              }
            }
            hops.add(hop);
          }
        }
        return hops;
      }
      for (String field : request.headers("X-Forwarded-For")) {
        for (String hop : field.split(",")) {
          hops.add(hop.trim());
        }
      }
      return hops;
    }

    private boolean trusted(InetAddress address) {
      for (Cidr c : proxies) {
        if (c.contains(address)) {
          return true;
        }
      }
      return false;
    }
  }
}
