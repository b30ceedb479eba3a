package dev.tollgate.servlet;

import dev.tollgate.core.Clock;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.RateLimitStoreProvider;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code store.type=closing}: an in-memory store that counts how often it was closed, so a test can
 * see that the engine a filter created from configuration is closed with the filter.
 */
public final class ClosingStoreProvider implements RateLimitStoreProvider {

  /** How many stores of this type were closed, in this JVM. */
  static final AtomicInteger CLOSED = new AtomicInteger();

  @Override
  public String type() {
    return "closing";
  }

  @Override
  public Set<String> keys() {
    return Set.of();
  }

  @Override
  public RateLimitStore create(Map<String, String> settings, Clock clock) {
    InMemoryStore memory = InMemoryStore.create(100, clock);
    return new RateLimitStore() {
      @Override
      public AcquireResult acquire(AcquireRequest request) {
        return memory.acquire(request);
      }

      @Override
      public void close() {
        CLOSED.incrementAndGet();
        memory.close();
      }
    };
  }
}
