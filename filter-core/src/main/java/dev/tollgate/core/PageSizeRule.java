package dev.tollgate.core;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a rule limits page sizes: which query parameters carry it, the value applied when none is
 * given, the largest value the application may see, and what to do with values that are not a
 * positive whole number. Immutable.
 *
 * <p>Defaults follow common API practice (and the Trackunit API): parameter {@code pageSize},
 * default 20, maximum 1000, invalid values rejected with 400.
 */
public final class PageSizeRule {

  /** Default parameter name. */
  public static final String DEFAULT_PARAMETER = "pageSize";

  /** Default page size applied when the parameter is missing. */
  public static final int DEFAULT_SIZE = 20;

  /** Default maximum. */
  public static final int DEFAULT_MAX = 1000;

  private static final PageSizeRule DEFAULTS =
      new PageSizeRule(
          true, List.of(DEFAULT_PARAMETER), DEFAULT_SIZE, DEFAULT_MAX, InvalidPageSize.REJECT);
  private static final PageSizeRule DISABLED =
      new PageSizeRule(
          false, List.of(DEFAULT_PARAMETER), DEFAULT_SIZE, DEFAULT_MAX, InvalidPageSize.REJECT);

  private final boolean enabled;
  private final List<String> parameters;
  private final int defaultSize;
  private final int maxSize;
  private final InvalidPageSize onInvalid;

  /**
   * The outcomes of this one-parameter rule that repeat, made once (see {@link PageSizeOutcome}).
   */
  private volatile PageSizeOutcome @Nullable [] outcomes;

  private PageSizeRule(
      boolean enabled,
      List<String> parameters,
      int defaultSize,
      int maxSize,
      InvalidPageSize onInvalid) {
    this.enabled = enabled;
    this.parameters = List.copyOf(parameters);
    this.defaultSize = defaultSize;
    this.maxSize = maxSize;
    this.onInvalid = onInvalid;
  }

  /** {@code pageSize}, default 20, maximum 1000, invalid values rejected. */
  public static PageSizeRule defaults() {
    return DEFAULTS;
  }

  /** A rule that leaves page sizes alone. */
  public static PageSizeRule disabled() {
    return DISABLED;
  }

  /**
   * A rule with the given settings.
   *
   * @throws IllegalArgumentException if a name is empty, the default or maximum is below 1, or the
   *     default is above the maximum
   */
  public static PageSizeRule of(
      List<String> parameters, int defaultSize, int maxSize, InvalidPageSize onInvalid) {
    Objects.requireNonNull(onInvalid, "onInvalid");
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("at least one page-size parameter is required");
    }
    for (String p : parameters) {
      if (p == null || p.isBlank() || !p.equals(p.trim())) {
        throw new IllegalArgumentException(
            "parameter names must be non-empty without spaces but was '" + p + "'");
      }
    }
    if (maxSize < 1) {
      throw new IllegalArgumentException("maximum page size must be at least 1 but was " + maxSize);
    }
    if (defaultSize < 1 || defaultSize > maxSize) {
      throw new IllegalArgumentException(
          "default page size must be between 1 and the maximum "
              + maxSize
              + " but was "
              + defaultSize);
    }
    return new PageSizeRule(true, parameters, defaultSize, maxSize, onInvalid);
  }

  /**
   * The shared outcomes of this rule, created at first use: {@code factory} makes the array (a
   * method reference that captures nothing, so asking costs no allocation).
   */
  PageSizeOutcome[] outcomes(Function<PageSizeRule, PageSizeOutcome[]> factory) {
    PageSizeOutcome[] o = outcomes;
    if (o == null) {
      o = factory.apply(this);
      outcomes = o; // racy but idempotent: equal arrays of immutable outcomes
    }
    return o;
  }

  /** Whether page sizes are checked at all ({@code page-size.enabled}). */
  public boolean enabled() {
    return enabled;
  }

  /** The parameter names; the first receives the default when none is present. */
  public List<String> parameters() {
    return parameters;
  }

  /** The page size applied when the client sends none ({@code page-size.default}). */
  public int defaultSize() {
    return defaultSize;
  }

  /** The largest page size the application receives ({@code page-size.max}). */
  public int maxSize() {
    return maxSize;
  }

  /** What a value that is not a positive whole number gets ({@code page-size.on-invalid}). */
  public InvalidPageSize onInvalid() {
    return onInvalid;
  }

  @Override
  public String toString() {
    return enabled
        ? "page size "
            + String.join("|", parameters)
            + " default "
            + defaultSize
            + " max "
            + maxSize
            + " invalid->"
            + onInvalid.configName()
        : "page size off";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PageSizeRule)) {
      return false;
    }
    PageSizeRule p = (PageSizeRule) o;
    return enabled == p.enabled
        && parameters.equals(p.parameters)
        && defaultSize == p.defaultSize
        && maxSize == p.maxSize
        && onInvalid == p.onInvalid;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, parameters, defaultSize, maxSize, onInvalid);
  }
}
