package dev.tollgate.jaxrs;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A JAX-RS {@code @Path} template turned into a regular expression as the specification says
 * (Jakarta REST 3.1, section 3.7.3), so that the provider can match a request path before the
 * runtime does without using any runtime's own template classes: literal characters are
 * percent-encoded and quoted, {@code {name}} matches one or more characters other than {@code /},
 * {@code {name: regex}} matches the regex, and a final {@code /} is optional.
 */
final class PathTemplate {

  /**
   * The specification's order (section 3.7.2): more literal characters first, then more template
   * variables, then more variables with their own regex; then the regex itself, so the order is
   * stable.
   */
  static final Comparator<PathTemplate> ORDER =
      Comparator.comparingInt((PathTemplate t) -> t.literalChars)
          .reversed()
          .thenComparing(Comparator.comparingInt((PathTemplate t) -> t.variables).reversed())
          .thenComparing(Comparator.comparingInt((PathTemplate t) -> t.explicitRegexes).reversed())
          .thenComparing(t -> t.pattern.pattern());

  private final String template;
  private final Pattern pattern;
  private final int literalChars;
  private final int variables;
  private final int explicitRegexes;

  /**
   * @param template a full path template starting with {@code /}, e.g. {@code /items/{id: [0-9]+}}
   * @throws IllegalArgumentException if the template is malformed (unbalanced braces, a bad regex)
   */
  PathTemplate(String template) {
    this.template = template;
    StringBuilder regex = new StringBuilder();
    int literals = 0;
    int vars = 0;
    int regexes = 0;
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{') {
        int end = closingBrace(template, i);
        vars++;
        if (appendVariable(regex, template.substring(i + 1, end))) {
          regexes++;
        }
        i = end + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException("unbalanced '}' in " + template);
      } else {
        int codePoint = template.codePointAt(i);
        String encoded = encode(codePoint);
        literals += encoded.length();
        regex.append(Pattern.quote(encoded));
        i += Character.charCount(codePoint);
      }
    }
    this.pattern = compile(template, regex.toString());
    this.literalChars = literals;
    this.variables = vars;
    this.explicitRegexes = regexes;
  }

  /**
   * Appends the group matching a template variable, given what is {@code inside} its braces: the
   * variable's own regex after a {@code :}, else one or more characters other than {@code /}.
   *
   * @return true if the variable has its own regex
   */
  private static boolean appendVariable(StringBuilder regex, String inside) {
    int colon = inside.indexOf(':');
    if (colon >= 0 && !inside.substring(colon + 1).isBlank()) {
      regex.append('(').append(inside.substring(colon + 1).trim()).append(')');
      return true;
    }
    regex.append("([^/]+)");
    return false;
  }

  /** The pattern of a template's {@code regex}, whose final {@code /} is optional. */
  private static Pattern compile(String template, String regex) {
    String r = regex;
    // A final '/' of the template is optional (section 3.7.3, step 4); so is one on the request.
    if (r.endsWith(Pattern.quote("/"))) {
      r = r.substring(0, r.length() - Pattern.quote("/").length());
    }
    try {
      return Pattern.compile(r + "/?");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("bad regex in " + template + ": " + e.getDescription(), e);
    }
  }

  /** True if the whole of {@code encodedPath} (with a leading {@code /}) matches. */
  boolean matches(String encodedPath) {
    return pattern.matcher(encodedPath).matches();
  }

  /**
   * Index of the '}' that closes the '{' at {@code open}; regexes may nest braces ({@code
   * [0-9]{3}}).
   */
  private static int closingBrace(String template, int open) {
    int depth = 0;
    for (int i = open; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced '{' in " + template);
  }

  /** A literal character as it appears in an encoded request path. */
  private static String encode(int c) {
    if ((c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "/-._~!$&'()*+,;=:@%".indexOf(c) >= 0) {
      return Character.toString(c);
    }
    StringBuilder out = new StringBuilder();
    for (byte b : Character.toString(c).getBytes(StandardCharsets.UTF_8)) {
      out.append('%')
          .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
          .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return template;
  }
}
