package dev.tollgate.core.internal;

import org.jspecify.annotations.Nullable;

/**
 * What Tollgate does with a failure of code it calls (a store, a resolver, a limiter) or of itself:
 * everything but a failing JVM is a failure to decide, answered by a failure policy, never a 500.
 */
public final class Failures {

  private Failures() {}

  /**
   * {@code e} itself if it is a {@link VirtualMachineError} (out of memory, stack overflow: the
   * JVM's trouble, not Tollgate's to hide), to be rethrown; otherwise {@code null}.
   */
  public static @Nullable Error fatal(Throwable e) {
    return e instanceof VirtualMachineError v ? v : null;
  }
}
