package dev.tollgate.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers shared by the tests. */
public final class Fixtures {

  private Fixtures() {}

  /** {@code "k1", "v1", "k2", "v2"} as an ordered map. */
  public static Map<String, String> props(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  public static Tollgate engine(FakeClock clock, String... kv) {
    return Tollgate.builder(TollgateConfig.parse(props(kv))).clock(clock).build();
  }

  /** The value of the only header with this name (case-sensitive), or null; fails if repeated. */
  public static String header(Verdict v, String name) {
    List<String> values = headers(v, name);
    if (values.size() > 1) {
      throw new AssertionError(
          "header " + name + " sent " + values.size() + " times: " + v.headers());
    }
    return values.isEmpty() ? null : values.get(0);
  }

  public static List<String> headers(Verdict v, String name) {
    List<String> out = new ArrayList<>();
    for (Header h : v.headers()) {
      if (h.name().equals(name)) {
        out.add(h.value());
      }
    }
    return out;
  }

  /** Calls {@code n} times and returns how many were admitted. */
  public static int admitted(Tollgate t, RequestView r, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      if (t.check(r).proceed()) {
        ok++;
      }
    }
    return ok;
  }
}
