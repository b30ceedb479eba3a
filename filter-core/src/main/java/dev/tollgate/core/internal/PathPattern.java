package dev.tollgate.core.internal;

/**
 * A path pattern: {@code /api/reports} matches that path exactly (and with a trailing slash),
 * {@code *} matches one segment ({@code /api/assets/*}), and a final {@code /**} matches the path
 * before it and everything below ({@code /api/**}). Internal.
 */
public final class PathPattern {

  private final String text;
  private final String[] segments;
  private final boolean anyDepth;

  private PathPattern(String text, String[] segments, boolean anyDepth) {
    this.text = text;
    this.segments = segments;
    this.anyDepth = anyDepth;
  }

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException if it does not start with {@code /} or uses {@code **} other
   *     than at the end
   */
  public static PathPattern compile(String pattern) {
    String p = pattern.trim();
    if (!p.startsWith("/")) {
      throw new IllegalArgumentException(
          "is not a path pattern (expected it to start with '/', e.g. /api/reports/**)");
    }
    boolean anyDepth = false;
    if (p.equals("/**")) {
      return new PathPattern(p, new String[0], true);
    }
    if (p.endsWith("/**")) {
      anyDepth = true;
      p = p.substring(0, p.length() - 3);
    }
    String[] segments = split(p);
    for (String s : segments) {
      if (s.contains("**") || (s.contains("*") && !s.equals("*"))) {
        throw new IllegalArgumentException(
            "is not a path pattern ('*' stands for a whole segment, '**' only at the end)");
      }
    }
    return new PathPattern(pattern.trim(), segments, anyDepth);
  }

  /**
   * Walks the path's segments in place: this runs for every rule on every request, so no regex and
   * no arrays.
   */
  public boolean matches(String path) {
    String p = path == null ? "/" : path;
    int n = p.length();
    int i = 0;
    for (String segment : segments) {
      while (i < n && p.charAt(i) == '/') {
        i++;
      }
      if (i == n) {
        return false; // the path has fewer segments than the pattern
      }
      int end = p.indexOf('/', i);
      if (end < 0) {
        end = n;
      }
      if (!segment.equals("*") && !(segment.length() == end - i && p.startsWith(segment, i))) {
        return false;
      }
      i = end;
    }
    if (anyDepth) {
      return true;
    }
    while (i < n && p.charAt(i) == '/') {
      i++;
    }
    return i == n; // no segments left over
  }

  /**
   * How specific the pattern is: literal segments weigh most, an exact pattern beats a {@code /**}.
   */
  public int specificity() {
    int score = anyDepth ? 0 : 1;
    for (String s : segments) {
      score += s.equals("*") ? 2 : 4;
    }
    return score;
  }

  private static String[] split(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? new String[0] : p.split("/+");
  }

  @Override
  public String toString() {
    return text;
  }
}
