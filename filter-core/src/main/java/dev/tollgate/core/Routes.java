package dev.tollgate.core;

import java.util.Objects;

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
  private final Route everyRequest;

  private final Entry[] cache = new Entry[SLOTS];

  private static final class Entry {
    final String method;
    final String path;
    final Rule extra;
    final Route route;

    Entry(String method, String path, Rule extra, Route route) {
      this.method = method;
      this.path = path;
      this.extra = extra;
      this.route = route;
    }
  }

  Routes(TollgateConfig config) {
    this.config = config;
    this.everyRequest = config.rules().isEmpty() ? Route.of(config, "GET", "/", null) : null;
  }

  /** The route of a request, plus {@code extra} (e.g. an annotation's rule) if not null. */
  Route route(String method, String path, Rule extra) {
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
    Route route = Route.of(config, method, path, extra);
    cache[slot] = new Entry(method, path, extra, route);
    return route;
  }
}
