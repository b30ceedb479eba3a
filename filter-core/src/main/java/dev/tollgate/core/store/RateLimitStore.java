package dev.tollgate.core.store;

/**
 * Where counts live. One call decides one request: every limit of every bucket in the
 * {@link AcquireRequest} is checked and, only if all admit, consumed, atomically.
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

  /** Releases connections or threads. The default does nothing. */
  @Override
  default void close() {}
}
