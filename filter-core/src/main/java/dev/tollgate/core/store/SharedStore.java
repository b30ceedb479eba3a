package dev.tollgate.core.store;

/**
 * A store that several application servers share (the Redis store). While it is unavailable, rules
 * with {@code on-store-failure=local} count in each server's memory with every quota divided by
 * {@link #expectedServers()}, so that the servers together stay near the shared quota.
 */
public interface SharedStore {

  /** How many servers share the store, at least 1. */
  int expectedServers();
}
