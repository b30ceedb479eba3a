package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.InMemoryStore;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The script's fast path (one bucket with one fixed window, the most common rule) decides exactly
 * as the in-memory store, and shares its keys with the general path: random requests of one client
 * through one-limit rules (fast path) and a two-rule request (general path) on the same states,
 * with random costs, {@code count-rejected} and clock jumps both ways, local rejections off so that
 * every decision runs the script.
 */
class FastPathTest {

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  @Test
  void oneFixedWindowDecidesExactlyAsInMemoryAndSharesItsStateWithTheGeneralPath() {
    AtomicLong time = new AtomicLong(T0);
    InMemoryStore memory = InMemoryStore.create(100, time::get);
    Limit minute = Limit.parse("5/1m");
    // Windows far longer than the test runs: Redis expires keys on its real clock, not the test's.
    Limit halfMinute = Limit.parse("4/30s");
    Random random = new Random(23);
    int[] outcomes = new int[2];
    try (RedisStore store =
        RedisStore.builder(server.uri())
            .timeout(Duration.ofSeconds(2))
            .scriptClock(time::get)
            .localRejections(0)
            .build()) {
      for (int step = 0; step < 3000; step++) {
        boolean countRejected = random.nextInt(4) == 0;
        Bucket minuteBucket = new Bucket("default", "c", List.of(minute), countRejected);
        Bucket burstBucket = new Bucket("burst", "c", List.of(halfMinute), random.nextBoolean());
        int r = random.nextInt(3);
        List<Bucket> buckets =
            r == 0
                ? List.of(minuteBucket)
                : r == 1 ? List.of(burstBucket) : List.of(minuteBucket, burstBucket);
        AcquireRequest request =
            new AcquireRequest(buckets, random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(3));
        AcquireResult expected = memory.acquire(request);
        assertEquals(
            expected,
            store.acquire(request),
            "step " + step + " at " + time.get() + " for " + request);
        outcomes[expected.admitted() ? 0 : 1]++;
        int jump = random.nextInt(100);
        time.addAndGet(
            jump < 80
                ? random.nextInt(400)
                : jump < 95 ? random.nextInt(20_000) : -random.nextInt(70_000));
      }
    }
    assertTrue(
        outcomes[0] > 300 && outcomes[1] > 300,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }
}
