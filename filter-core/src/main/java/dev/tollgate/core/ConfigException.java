package dev.tollgate.core;

import org.jspecify.annotations.Nullable;

/**
 * A configuration value that cannot be used. The message names the key and the value, e.g. {@code
 * rules.reports.limits: '10O/1m' is not a valid limit (expected <count>/<duration>)}.
 *
 * <p>Thrown while a configuration is built or parsed, never while a request is decided.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The configuration key at fault. */
  private final String key;

  /** Why the value cannot be used, without the key. */
  private final @Nullable String reason;

  /** Creates an exception for {@code key}; the message is {@code key + ": " + reason}. */
  public ConfigException(String key, @Nullable String reason) {
    super(key + ": " + reason);
    this.key = key;
    this.reason = reason;
  }

  /**
   * The same problem, saying where the value was set, e.g. {@code in /WEB-INF/tollgate.properties}.
   */
  public ConfigException withSource(String source) {
    ConfigException e = new ConfigException(key, reason + " (" + source + ")");
    e.initCause(getCause());
    return e;
  }

  /** The message without the leading key. */
  public @Nullable String reason() {
    return reason;
  }

  /** Creates an exception for {@code key} whose {@code value} is wrong for the given reason. */
  public static ConfigException invalid(
      String key, @Nullable String value, @Nullable String reason) {
    return new ConfigException(key, "'" + printable(value) + "' " + reason);
  }

  /** The configuration key at fault, e.g. {@code rules.reports.limits}. */
  public String key() {
    return key;
  }

  private static String printable(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), 200));
    for (int i = 0; i < value.length() && i < 200; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (value.length() > 200) {
      out.append("...");
    }
    return out.toString();
  }
}
