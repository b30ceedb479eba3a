package dev.tollgate.jaxrs;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The places besides the query string where a resource can read a page size, and how to rewrite
 * them: matrix parameters ({@code @MatrixParam}, {@code PathSegment.getMatrixParameters()}) and a
 * form-encoded body ({@code @FormParam}). Without this a client could send {@code ;pageSize=5000}
 * or a form field past the page-size rule. Stateless.
 */
final class ParameterSources {

  private ParameterSources() {}

  /** The values of matrix parameter {@code name} in every segment of a raw (encoded) path. */
  static List<String> matrixValues(String rawPath, String name) {
    if (rawPath == null || rawPath.indexOf(';') < 0) {
      return List.of();
    }
    List<String> values = new ArrayList<>(1);
    for (String segment : rawPath.split("/")) {
      String[] parts = segment.split(";");
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (decodePath(eq < 0 ? parts[i] : parts[i].substring(0, eq)).equals(name)) {
          values.add(eq < 0 ? "" : decodePath(parts[i].substring(eq + 1)));
        }
      }
    }
    return values;
  }

  /**
   * Replaces the value of every matrix parameter of a raw path whose name is in {@code effective}
   * by the effective value; everything else is kept byte for byte.
   *
   * @return the new raw path, or {@code rawPath} itself if nothing changes
   */
  static String rewriteMatrix(String rawPath, Map<String, Integer> effective) {
    if (rawPath == null || rawPath.indexOf(';') < 0 || effective.isEmpty()) {
      return rawPath;
    }
    StringBuilder out = new StringBuilder(rawPath.length());
    String[] segments = rawPath.split("/", -1);
    for (int s = 0; s < segments.length; s++) {
      if (s > 0) {
        out.append('/');
      }
      String[] parts = segments[s].split(";", -1);
      out.append(parts[0]);
      for (int i = 1; i < parts.length; i++) {
        out.append(';');
        int eq = parts[i].indexOf('=');
        String name = decodePath(eq < 0 ? parts[i] : parts[i].substring(0, eq));
        Integer value = effective.get(name);
        out.append(
            value == null
                ? parts[i]
                : URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + value);
      }
    }
    String result = out.toString();
    return result.equals(rawPath) ? rawPath : result;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** As {@link #decode} but '+' stays a plus, as in a path. */
  private static String decodePath(String s) {
    return s.indexOf('%') < 0 ? s : decode(s.replace("+", "%2B"));
  }
}
