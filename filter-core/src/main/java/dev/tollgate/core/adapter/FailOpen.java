package dev.tollgate.core.adapter;

import dev.tollgate.core.Clock;
import dev.tollgate.core.internal.Failures;

/**
 * What an adapter does when the engine fails unexpectedly (a bug, not a store outage, which each
 * rule's {@code on-store-failure} policy covers): the request goes on unlimited and a warning is
 * logged at most once a minute. A failing JVM ({@link VirtualMachineError}) is rethrown, not
 * hidden.
 */
public final class FailOpen {

  /** The start of the warning, the same in every adapter. */
  public static final String WARNING =
      "Tollgate could not decide a request and let it through unlimited;"
          + " further failures in the next minute are not logged";

  private final ThrottledWarning warning;

  /** Warns on {@code log}, throttled on {@code clock} (the engine's). */
  public FailOpen(System.Logger log, Clock clock) {
    this.warning = new ThrottledWarning(log, clock);
  }

  /**
   * Records that the engine failed with {@code e}; the caller then lets the request through.
   *
   * @throws VirtualMachineError {@code e} itself, if it is one
   */
  public void failed(Throwable e) {
    Error fatal = Failures.fatal(e);
    if (fatal != null) {
      throw fatal;
    }
    warning.warn(() -> WARNING, e);
  }
}
