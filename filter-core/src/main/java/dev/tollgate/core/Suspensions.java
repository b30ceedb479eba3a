package dev.tollgate.core;

import dev.tollgate.core.internal.Cidr;
import dev.tollgate.core.internal.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Clients refused with 403 "access suspended" and not counted: the fair-use cut-off. Entries are
 * client keys as Tollgate shows them ({@code key:<digest>}, {@code token:<digest>}, {@code
 * user:alice}, {@code ip:203.0.113.7}) or IP addresses and ranges ({@code 203.0.113.0/24}, {@code
 * 2001:db8::/32}), matched against the client's IP found with the configured trusted proxies.
 * Thread-safe; edits take effect on the next request. Entries from the configuration are replaced
 * on reload; entries added here stay until lifted.
 */
public final class Suspensions {

  // Replaced whole on reload (volatile), so a request never sees a half-built list.
  private volatile Set<String> configuredKeys = ConcurrentHashMap.newKeySet();
  private volatile List<Cidr> configuredRanges = new CopyOnWriteArrayList<>();
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final List<Cidr> ranges = new CopyOnWriteArrayList<>();

  /**
   * Whether any of the four holds an entry, set after every edit: a request then reads one field,
   * not four collections.
   */
  private volatile boolean anyEntries;

  Suspensions() {}

  /**
   * Suspends a client key, IP address or range.
   *
   * @throws IllegalArgumentException if the entry is empty, over 200 characters or has spaces
   */
  public void suspend(String entry) {
    String e = check("suspended", entry);
    Cidr range = Cidr.rangeOrNull(e);
    if (range != null) {
      ranges.add(range);
    } else {
      keys.add(e);
    }
    recount();
  }

  /** Lifts a suspension added here or by the configuration (until the next reload). */
  public boolean lift(String entry) {
    String e = entry.trim();
    boolean removed = keys.remove(e) | configuredKeys.remove(e);
    removed |=
        ranges.removeIf(r -> r.toString().equals(e))
            | configuredRanges.removeIf(r -> r.toString().equals(e));
    recount();
    return removed;
  }

  /** Every entry now in force. */
  public List<String> entries() {
    List<String> out = new ArrayList<>(configuredKeys);
    out.addAll(keys);
    configuredRanges.forEach(r -> out.add(r.toString()));
    ranges.forEach(r -> out.add(r.toString()));
    return out;
  }

  boolean isEmpty() {
    return !anyEntries;
  }

  /**
   * Sets {@link #anyEntries} from the collections after an edit. Locked, so that of concurrent
   * edits the last to count sees every edit done before it.
   */
  private synchronized void recount() {
    anyEntries =
        !(keys.isEmpty()
            && ranges.isEmpty()
            && configuredKeys.isEmpty()
            && configuredRanges.isEmpty());
  }

  boolean covers(@Nullable String clientKey, @Nullable String ipKey) {
    if (clientKey != null && (keys.contains(clientKey) || configuredKeys.contains(clientKey))) {
      return true;
    }
    if (ipKey == null || !ipKey.startsWith("ip:")) {
      return false;
    }
    if (keys.contains(ipKey) || configuredKeys.contains(ipKey)) {
      return true;
    }
    String literal = ipKey.substring(3);
    int slash = literal.indexOf('/');
    InetAddress address = IpAddresses.parse(slash < 0 ? literal : literal.substring(0, slash));
    if (address == null) {
      return false;
    }
    for (Cidr r : configuredRanges) {
      if (r.contains(address)) {
        return true;
      }
    }
    for (Cidr r : ranges) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  void replaceConfigured(List<String> entries) {
    Set<String> newKeys = ConcurrentHashMap.newKeySet();
    List<Cidr> newRanges = new CopyOnWriteArrayList<>();
    for (String e : entries) {
      Cidr range = Cidr.rangeOrNull(e);
      if (range != null) {
        newRanges.add(range);
      } else {
        newKeys.add(e);
      }
    }
    configuredRanges = newRanges;
    configuredKeys = newKeys;
    recount();
  }

  static String check(String key, String entry) {
    if (entry == null
        || entry.isBlank()
        || entry.trim().length() > 200
        || entry.trim().contains(" ")) {
      throw ConfigException.invalid(key, entry, "is not a client key, IP address or range");
    }
    return entry.trim();
  }
}
