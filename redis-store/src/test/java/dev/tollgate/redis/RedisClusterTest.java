package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store on a real Redis Cluster (one node serving all 16,384 slots: cluster mode enforces the
 * same one-slot-per-script rule as a large cluster, so a key layout that needs two slots fails here
 * just as it would there). The decisions are made at an injected time, so that the hour windows the
 * tests fill never end between two of their requests.
 */
class RedisClusterTest {

  /**
   * The decisions' time, passed to the script in place of Redis' {@code TIME}:
   * 2023-11-14T00:30:00Z, half an hour from any hour boundary, so that no window ends between two
   * requests of a test.
   */
  private static final long T0 = 1_699_921_800_000L;

  @RegisterExtension static final RedisServerExtension node = RedisServerExtension.clusterNode();
  private static final RedisCommands<String, String> redis = node.admin();

  @BeforeAll
  static void assignAllSlots() throws InterruptedException {
    redis.clusterAddSlotsRange(io.lettuce.core.Range.create(0, 16383));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!redis.clusterInfo().contains("cluster_state:ok")) {
      assertTrue(System.nanoTime() < deadline, "cluster_state:ok within 10 s");
      Thread.sleep(20);
    }
  }

  private static RedisStore.Builder store() {
    return RedisStore.builder(node.uri())
        .cluster(true)
        .timeout(Duration.ofSeconds(2))
        .scriptClock(() -> T0);
  }

  @Test
  void decidesAllLimitsOfAClientInOneScriptOnACluster() {
    try (RedisStore store = store().build()) {
      List<Bucket> buckets =
          List.of(
              new Bucket(
                  "default",
                  "ip:10.1.1.1",
                  List.of(Limit.parse("3/1h"), Limit.parse("100/24h rolling")),
                  false),
              new Bucket(
                  "reports", "ip:10.1.1.1", List.of(Limit.parse("5/1h token-bucket")), false));
      for (int i = 0; i < 3; i++) {
        assertTrue(store.acquire(new AcquireRequest(buckets, 1)).admitted());
      }
      AcquireResult rejected = store.acquire(new AcquireRequest(buckets, 1));
      assertFalse(rejected.admitted());
      assertEquals(
          List.of(0L, 97L, 2L), rejected.usages().stream().map(u -> u.remaining()).toList());
    }
  }

  @Test
  void rulesKeyedByDifferentClientsAreDecidedPerSlotAndNeverAdmitBeyondAQuota() {
    // The default rule counts per IP, the endpoint rule per API key: two hash slots.
    String ip = "ip:10.2.2.2";
    String apiKey = "key:0123abcd";
    assertTrue(SlotHash.getSlot("{" + ip + "}") != SlotHash.getSlot("{" + apiKey + "}"));
    try (RedisStore store = store().build()) {
      List<Bucket> buckets =
          List.of(
              new Bucket("default", ip, List.of(Limit.parse("10/1h")), false),
              new Bucket("reports", apiKey, List.of(Limit.parse("2/1h")), false));
      assertTrue(store.acquire(new AcquireRequest(buckets, 1)).admitted());
      assertTrue(store.acquire(new AcquireRequest(buckets, 1)).admitted());
      AcquireResult rejected = store.acquire(new AcquireRequest(buckets, 1));
      assertFalse(rejected.admitted());
      assertEquals(
          List.of(false, true), rejected.usages().stream().map(u -> u.rejected()).toList());
      // The IP's bucket was decided first and kept the request: the documented strict-side
      // approximation of at most one request's cost per rejection across slots.
      assertEquals(7, rejected.usages().get(0).remaining());
      assertEquals(0, rejected.usages().get(1).remaining());
    }
  }
}
