package dev.tollgate.core.store;

import org.jspecify.annotations.Nullable;

/** The store could not decide in time or at all; the rule's failure policy applies. */
public class StoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure of the store caused by {@code cause}. */
  public StoreUnavailableException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** A failure of the store described by {@code message}. */
  public StoreUnavailableException(String message) {
    super(message);
  }
}
