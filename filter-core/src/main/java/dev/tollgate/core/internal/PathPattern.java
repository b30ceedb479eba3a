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
      throw new IllegalArgumentException("is not a path pattern (expected it to start with '/', e.g. /api/reports/**)");
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
        throw new IllegalArgumentException("is not a path pattern ('*' stands for a whole segment, '**' only at the end)");
      }
    }
    return new PathPattern(pattern.trim(), segments, anyDepth);
  }

  public boolean matches(String path) {
    String[] parts = split(path == null ? "/" : path);
    if (parts.length < segments.length || (!anyDepth && parts.length != segments.length)) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      if (!segments[i].equals("*") && !segments[i].equals(parts[i])) {
        return false;
      }
    }
    return true;
  }

  /** How specific the pattern is: literal segments weigh most, an exact pattern beats a {@code /**}. */
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
