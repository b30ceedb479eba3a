package dev.tollgate.core;

import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;

/**
 * {@link AlgorithmBoundaryTest} through the {@link RateLimitStore} interface instead of the
 * in-memory fast path.
 */
class AlgorithmBoundaryThroughStoreInterfaceTest extends AlgorithmBoundaryTest {

  @Override
  Tollgate engine(FakeClock clock, String... kv) {
    InMemoryStore memory = InMemoryStore.create(10_000, clock);
    RateLimitStore plain =
        memory::acquire; // not an InMemoryStore: the engine takes the generic path
    return Tollgate.builder(TollgateConfig.parse(Fixtures.props(kv)))
        .store(plain)
        .clock(clock)
        .build();
  }
}
