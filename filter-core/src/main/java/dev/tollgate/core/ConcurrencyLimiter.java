package dev.tollgate.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per client on this server. An entry exists only while its client has requests
 * in flight, so memory is bounded by the number of concurrent requests.
 */
final class ConcurrencyLimiter {

  private final ConcurrentHashMap<String, int[]> inFlight = new ConcurrentHashMap<>();

  /** Takes a slot for {@code client}; false if it already has {@code max} requests in flight. */
  boolean tryAcquire(String client, int max) {
    boolean[] granted = new boolean[1];
    inFlight.compute(
        client,
        (k, count) -> {
          int[] c = count == null ? new int[1] : count;
          if (c[0] < max) {
            c[0]++;
            granted[0] = true;
          }
          return c[0] == 0 ? null : c;
        });
    return granted[0];
  }

  void release(String client) {
    inFlight.computeIfPresent(client, (k, c) -> --c[0] <= 0 ? null : c);
  }
}
