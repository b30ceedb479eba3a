package dev.tollgate.core;

/**
 * Where a {@link Verdict} writes its response headers, e.g. {@code response::setHeader}: the values
 * go straight to the response without a list in between.
 */
@FunctionalInterface
public interface HeaderSink {

  /**
   * Sets header {@code name} to {@code value}, replacing a value set before (by the application or
   * an earlier filter). Values never hold CR, LF or other control characters.
   */
  void set(String name, String value);
}
