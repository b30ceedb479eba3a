package dev.tollgate.core.store;

import dev.tollgate.core.internal.Failures;

/**
 * Calls a store so that whatever it throws short of a JVM failure reaches the engine as a {@link
 * RuntimeException}: an {@code Error} of a store (a class missing from its client library, an
 * assertion in its code) then meets the rule's store-failure policy like any other store failure
 * instead of escaping the engine.
 */
public final class StoreCalls {

  private StoreCalls() {}

  public static AcquireResult acquire(RateLimitStore store, AcquireRequest request) {
    try {
      return store.acquire(request);
    } catch (Error e) {
      Error fatal = Failures.fatal(e);
      if (fatal != null) {
        throw fatal;
      }
      throw new StoreUnavailableException("the store failed: " + e, e);
    }
  }
}
