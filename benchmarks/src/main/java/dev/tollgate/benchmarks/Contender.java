package dev.tollgate.benchmarks;

/**
 * One rate limiter under test, doing the work every contender does: a limit of 100 per minute per
 * client key, decided without blocking. Keys are precomputed strings, indexed by {@code key}, so no
 * contender pays for building them.
 */
interface Contender extends AutoCloseable {

  /** Decides one request of client {@code keys[key]}; true if admitted. Never blocks. */
  boolean tryAcquire(int key);

  /** What the limiter retains, for measuring its memory (the caller's key strings excluded). */
  Object retained();

  @Override
  default void close() {}
}
