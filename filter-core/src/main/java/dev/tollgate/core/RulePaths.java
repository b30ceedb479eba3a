package dev.tollgate.core;

import dev.tollgate.core.internal.PathPattern;
import java.util.ArrayList;
import java.util.List;

/** The path patterns a {@link Rule} covers; none covers every path. Immutable. */
final class RulePaths {

  private final List<PathPattern> patterns;
  private final List<String> written;

  RulePaths(List<PathPattern> patterns) {
    this.patterns = List.copyOf(patterns);
    List<String> w = new ArrayList<>(patterns.size());
    for (PathPattern p : patterns) {
      w.add(p.toString());
    }
    this.written = List.copyOf(w);
  }

  List<PathPattern> patterns() {
    return patterns;
  }

  /** The patterns as written. */
  List<String> written() {
    return written;
  }

  boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** True if a pattern matches {@code path}, or there are none. */
  boolean matches(String path) {
    return specificity(path) >= 0;
  }

  /** The specificity of the most specific pattern that matches {@code path}; -1 if none does. */
  int specificity(String path) {
    if (patterns.isEmpty()) {
      return 0;
    }
    int best = -1;
    for (PathPattern p : patterns) {
      if (p.matches(path)) {
        best = Math.max(best, p.specificity());
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return patterns.toString();
  }
}
