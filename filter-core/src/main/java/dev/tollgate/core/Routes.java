package dev.tollgate.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A configuration compiled for the request path: the {@link Route} of each method and path, kept in
 * a small direct-mapped cache. Bounded whatever paths clients send: a new path takes the slot of an
 * older one. Thread-safe without locks: entries are immutable, and a lost race only costs a
 * recomputation.
 */
final class Routes {

  private static final int SLOTS = 512; // a power of two

  final TollgateConfig config;

  /**
   * The route of every request when the configuration has no endpoint rules (and no extra rule
   * applies).
   */
  private final @Nullable Route everyRequest;

  private final Entry[] cache = new Entry[SLOTS];

  private static final class Entry {
    final String method;
    final String path;
    final @Nullable Rule extra;
    final Route route;

    Entry(String method, String path, @Nullable Rule extra, Route route) {
      this.method = method;
      this.path = path;
      this.extra = extra;
      this.route = route;
    }
  }

  Routes(TollgateConfig config) {
    this.config = config;
    this.everyRequest = config.rules().isEmpty() ? match(config, "GET", "/", null) : null;
  }

  /** The route of a request, plus {@code extra} (e.g. an annotation's rule) if not null. */
  Route route(String method, String path, @Nullable Rule extra) {
    if (extra == null && everyRequest != null) {
      return everyRequest;
    }
    int hash =
        (Objects.hashCode(path) * 31 + Objects.hashCode(method)) * 31
            + System.identityHashCode(extra);
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    Entry e = cache[slot];
    if (e != null
        && e.extra == extra
        && Objects.equals(e.path, path)
        && Objects.equals(e.method, method)) {
      return e.route;
    }
    Route route = match(config, method, path, extra);
    cache[slot] = new Entry(method, path, extra, route);
    return route;
  }

  /** The route of a request under {@code c}, plus {@code extraRule} if not null. */
  private static Route match(
      TollgateConfig c, String method, String path, @Nullable Rule extraRule) {
    List<Rule> applying = new ArrayList<>(3);
    applying.add(c.defaultRule());
    for (Rule r : c.rules()) {
      if (r.matches(method, path)) {
        applying.add(r);
      }
    }
    if (extraRule != null) {
      extraRule = c.resolve(extraRule);
      applying.add(extraRule);
    }
    Rule best = mostSpecific(c, method, path, false);
    String mostSpecific =
        extraRule != null ? extraRule.name() : best == null ? Rule.DEFAULT : best.name();
    PageSizeRule pageSize;
    if (extraRule != null && extraRule.setsPageSize()) {
      pageSize = extraRule.pageSize();
    } else {
      Rule withPageSize = mostSpecific(c, method, path, true);
      pageSize = withPageSize != null ? withPageSize.pageSize() : c.defaultRule().pageSize();
    }
    return Route.of(c, applying, mostSpecific, pageSize);
  }

  /**
   * The most specific matching endpoint rule (ties: the first declared), optionally only those with
   * a page-size rule.
   */
  private static @Nullable Rule mostSpecific(
      TollgateConfig c, String method, String path, boolean withPageSize) {
    @Nullable Rule best = null;
    int bestScore = -1;
    for (Rule r : c.rules()) {
      if ((withPageSize && !r.setsPageSize()) || !r.matches(method, path)) {
        continue;
      }
      int score = r.specificity(path);
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }
}
