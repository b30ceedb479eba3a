package dev.tollgate.core;

import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * "Did you mean {@code page-size.max}?" for an unknown configuration key: the known key nearest to
 * it by edit distance, when it is near enough to be a typo rather than a different idea.
 */
final class KeySuggestion {

  private KeySuggestion() {}

  /**
   * The suffix for an unknown-key message, e.g. {@code "; did you mean page-size.max?"}, or "".
   * {@code prefix} is put before the suggestion ({@code rules.reports.} for a rule's setting).
   */
  static String didYouMean(String prefix, String unknown, Collection<String> known) {
    String best = nearest(unknown, known);
    return best == null ? "" : "; did you mean " + prefix + best + "?";
  }

  /** The known key nearest to {@code unknown}, or null if none is a plausible typo of it. */
  static @Nullable String nearest(String unknown, Collection<String> known) {
    String u = unknown.toLowerCase(Locale.ROOT);
    // A typo changes a few characters; more than a third of the key is another word.
    int allowed = Math.max(1, Math.min(3, u.length() / 3));
    @Nullable String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(u, candidate.toLowerCase(Locale.ROOT));
      // Ties go to the first in iteration order, so callers pass a sorted collection for stable
      // text.
      if (d <= allowed && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best == null) {
      // page-size.maximum, limits-per-client: a known key with something added to its end.
      for (String candidate : known) {
        String c = candidate.toLowerCase(Locale.ROOT);
        if (c.length() >= 5 && u.startsWith(c) && (best == null || c.length() > best.length())) {
          best = candidate;
        }
      }
    }
    return best;
  }

  /** Levenshtein distance, with a swap of two neighbouring characters counting as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
