package dev.tollgate.redis;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.Bucket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Key names: {@code <prefix>{<client>}:<rule>:<stateId>}, e.g. {@code
 * tollgate:{ip:203.0.113.7}:default:fixed:60}. The braces are a Redis Cluster hash tag, so all of
 * one client's keys live in one slot and one script can touch them all.
 */
final class KeyLayout {

  private final String prefix;

  KeyLayout(String prefix) {
    this.prefix = prefix;
  }

  /**
   * The keys of every limit of {@code buckets}, in order. A key that would repeat within one
   * request (two limits of a rule with the same window and algorithm) gets a {@code :2}, {@code :3}
   * suffix, so that, as in memory, each limit counts in its own state.
   */
  String[] keys(List<Bucket> buckets) {
    int n = 0;
    for (Bucket b : buckets) {
      n += b.limits().size();
    }
    String[] keys = new String[n];
    Set<String> seen = new HashSet<>();
    int i = 0;
    for (Bucket b : buckets) {
      String base = prefix + '{' + tag(b.client()) + "}:" + b.rule() + ':';
      for (Limit l : b.limits()) {
        String key = base + l.stateId();
        for (int k = 2; !seen.add(key); k++) {
          key = base + l.stateId() + ':' + k;
        }
        keys[i++] = key;
      }
    }
    return keys;
  }

  /**
   * The client as a hash tag: {@code %} and <code>}</code> (which would end the tag early) are
   * percent-escaped, so distinct clients keep distinct tags; an empty client, which Redis would not
   * treat as a tag, becomes {@code %00}.
   */
  static String tag(String client) {
    if (client.isEmpty()) {
      return "%00";
    }
    if (client.indexOf('%') < 0 && client.indexOf('}') < 0) {
      return client;
    }
    StringBuilder s = new StringBuilder(client.length() + 8);
    for (int i = 0; i < client.length(); i++) {
      char c = client.charAt(i);
      if (c == '%') {
        s.append("%25");
      } else if (c == '}') {
        s.append("%7D");
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }
}
