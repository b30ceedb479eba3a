package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.store.Bucket;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The script's batch form decides as its short form, decision by decision: the same random sequence
 * of decisions (a few clients with their own limits; random costs, leases, {@code count-rejected},
 * decisions already rejected, batch sizes and clock steps both ways) once as one short-form call
 * per decision and once in batches, at the batch's time, on separate keys, gives the same reply
 * values and leaves the same states.
 */
class BatchFormTest {

  /** A day boundary: 2023-11-14T00:00:00Z. */
  private static final long T0 = 1_699_920_000_000L;

  @RegisterExtension static final RedisServerExtension server = new RedisServerExtension();
  private static final RedisCommands<String, String> redis = server.admin();

  @Test
  void theBatchFormDecidesEachDecisionAsTheShortFormInOrder() {
    redis.flushall();
    // Windows far longer than the test runs: Redis expires keys on its real clock, not the test's.
    List<Limit> limits = List.of(Limit.parse("5/1m"), Limit.parse("3/30s"), Limit.parse("40/1h"));
    Random random = new Random(7);
    long time = T0;
    int decisions = 0;
    int[] outcomes = new int[2];
    int largestBatch = 0;
    for (int step = 0; step < 400; step++) {
      // Mostly small batches (each client then appears a few times), now and then a full one.
      int n = step % 40 == 0 ? Coalescer.MAX_BATCH : 1 + random.nextInt(8);
      largestBatch = Math.max(largestBatch, n);
      List<String> clients = new ArrayList<>();
      List<String[]> forms = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int c = random.nextInt(limits.size());
        Bucket b = new Bucket("default", "c" + c, List.of(limits.get(c)), random.nextInt(4) == 0);
        int cost = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(3);
        int lease = random.nextInt(3) == 0 ? 1 + random.nextInt(6) : 1;
        String[] form = AcquireScript.args(List.of(b), cost, time, random.nextInt(10) == 0, lease);
        assertEquals("F", form[0]);
        clients.add("c" + c);
        forms.add(form);
      }
      List<Object> batch =
          redis.eval(
              AcquireScript.SOURCE,
              ScriptOutputType.MULTI,
              keys("batch:", clients),
              AcquireScript.batchArgs(forms));
      assertTrue(AcquireScript.isReply(batch, n), "reply of " + batch.size() + " for " + n);
      for (int i = 0; i < n; i++) {
        List<Object> alone =
            redis.eval(
                AcquireScript.SOURCE,
                ScriptOutputType.MULTI,
                keys("alone:", List.of(clients.get(i))),
                forms.get(i));
        assertEquals(
            alone,
            AcquireScript.batchReply(batch, i),
            "step " + step + ", decision " + i + " of " + n + " at " + time);
        outcomes[AcquireScript.admitted(alone) ? 0 : 1]++;
        decisions++;
      }
      for (int c = 0; c < limits.size(); c++) {
        assertEquals(redis.get("alone:c" + c), redis.get("batch:c" + c), "state of c" + c);
      }
      int jump = random.nextInt(100);
      time +=
          jump < 80
              ? random.nextInt(2_000)
              : jump < 95 ? random.nextInt(40_000) : -random.nextInt(70_000);
    }
    assertEquals(Coalescer.MAX_BATCH, largestBatch);
    assertTrue(
        outcomes[0] > decisions / 10 && outcomes[1] > decisions / 10,
        "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
  }

  private static String[] keys(String prefix, List<String> clients) {
    return clients.stream().map(c -> prefix + c).toArray(String[]::new);
  }
}
