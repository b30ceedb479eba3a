package dev.tollgate.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * How configuration values are written: comma-separated lists, booleans, whole numbers, and the
 * words of enums that appear in configuration. Also the one place that turns a builder's refusal
 * into an error naming the key and the value.
 */
final class ConfigWords {

  private ConfigWords() {}

  /**
   * The constant of {@code values} whose configuration word is {@code word}, ignoring case and
   * surrounding blanks.
   *
   * @param what what the word should be, for the message: {@code a failure policy}
   * @throws IllegalArgumentException listing the words there are
   */
  static <E extends Enum<E>> E fromConfig(
      E[] values, Function<E, String> configName, String word, String what) {
    String w = word.trim().toLowerCase(Locale.ROOT);
    List<String> words = new ArrayList<>(values.length);
    for (E e : values) {
      if (configName.apply(e).equals(w)) {
        return e;
      }
      words.add(configName.apply(e));
    }
    throw new IllegalArgumentException("is not " + what + " (expected " + oneOf(words) + ")");
  }

  /** {@code a, b or c}. */
  static String oneOf(List<String> words) {
    int last = words.size() - 1;
    return last <= 0
        ? String.join("", words)
        : String.join(", ", words.subList(0, last)) + " or " + words.get(last);
  }

  /**
   * The error for {@code key} set to {@code value} that a builder or parser refused with {@code e},
   * naming the key and the value once: an error about another key is returned as it is, one that
   * quotes (part of) the value as written keeps its quote, any other gets the value.
   */
  static ConfigException naming(String key, String value, IllegalArgumentException e) {
    if (e instanceof ConfigException c) {
      String reason = Objects.requireNonNull(c.reason(), "a builder's reason");
      int end = reason.indexOf("' ");
      if (!c.key().equals(key) || !reason.startsWith("'") || end < 0) {
        return c;
      }
      // A builder echoes the value as it holds it (2.0, NaN); name it as it was written.
      return value.contains(reason.substring(1, end))
          ? c
          : ConfigException.invalid(key, value, reason.substring(end + 2));
    }
    String reason = String.valueOf(e.getMessage());
    return reason.startsWith("'")
        ? new ConfigException(key, reason)
        : ConfigException.invalid(key, value, reason);
  }

  /** The non-blank items of a comma-separated list, trimmed. */
  static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  static boolean bool(String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("is not a boolean (expected true or false)");
  }

  /** A whole number from {@code min} to {@code max}. */
  static int integer(String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("is not a whole number from " + min + " to " + max);
  }

  /** A number; NaN if it is none, for the builder to refuse with its own message. */
  static double number(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
