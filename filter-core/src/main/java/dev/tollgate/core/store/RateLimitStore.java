package dev.tollgate.core.store;

import java.util.concurrent.CompletionStage;

/**
 * Where counts live. One call decides one request: every limit of every bucket in the {@link
 * AcquireRequest} is checked and, only if all admit, consumed, atomically.
 *
 * <p>The in-memory store ({@link InMemoryStore}) is the default; the {@code redis-store} module
 * provides one whose single round trip runs the same algorithms in a server-side script. Other
 * stores are plugged in through {@link RateLimitStoreProvider}.
 *
 * <p>Implementations are thread-safe, never block longer than their configured timeout, and report
 * trouble by throwing {@link StoreUnavailableException}.
 */
public interface RateLimitStore extends AutoCloseable {

  /**
   * Decides a request. With {@link AcquireRequest#cost()} zero, reports usage without consuming.
   *
   * @throws StoreUnavailableException if the store cannot decide now (the rule's failure policy
   *     then admits or rejects the request)
   */
  AcquireResult acquire(AcquireRequest request);

  /**
   * Charges what a request cost once its response is complete (limits in time, CPU or bytes, rules
   * that count by outcome, refunds). Called after the response, never on its way: a store that must
   * reach a server sends the charge without waiting and completes the stage when it is done, or
   * exceptionally when the charge was lost (the engine logs and counts that; the response is long
   * gone). The default charges nothing: a store that does not implement it enforces only the
   * admission side of such limits, and the engine warns at startup.
   */
  default CompletionStage<Void> charge(ChargeRequest request) {
    return ChargeRequest.DONE;
  }

  /** True if {@link #charge} is implemented. The default is false. */
  default boolean charges() {
    return false;
  }

  /** Releases connections or threads. The default does nothing. */
  @Override
  default void close() {}
}
