package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.QuotaUnit;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rejection read without the lock ({@link StatePasses#rejectsAsIs}) must be one the lock would
 * have made: the same answer, the same usage, and nothing the lock would have written. Checked
 * against the locked passes over random histories of one client: decisions, charges and refunds
 * after the response, reloads to other quotas, and a clock that stands still, moves on, and now and
 * then goes back, and the store's sweep of idle rules.
 */
class RejectionWithoutTheLockTest {

  private static final long T0 = FakeClock.START;

  private static final Limit FIXED = Limit.of(5, Duration.ofSeconds(10));
  private static final Limit ROLLING =
      Limit.parse("8/10s rolling").withPrecision(Duration.ofSeconds(1));
  private static final Limit BUCKET = Limit.parse("4/2s token-bucket");
  private static final Limit TIME = Limit.of(300, Duration.ofSeconds(10)).in(QuotaUnit.TIME);

  /** Each rule in two versions, so that a reload changes what a state must follow. */
  private static final List<List<BucketSpec>> RULES =
      List.of(
          List.of(
              new BucketSpec("fixed", List.of(FIXED, ROLLING), false),
              new BucketSpec("fixed", List.of(FIXED.withQuota(7), ROLLING), false)),
          List.of(
              new BucketSpec("bucket", List.of(BUCKET), false),
              new BucketSpec("bucket", List.of(BUCKET.withQuota(2)), false)),
          List.of(
              new BucketSpec("counted", List.of(FIXED), true),
              new BucketSpec("counted", List.of(FIXED.withQuota(3)), true)),
          List.of(
              new BucketSpec("timed", List.of(FIXED.withQuota(6), TIME), false),
              new BucketSpec("timed", List.of(FIXED.withQuota(6), TIME.withQuota(100)), false)));

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void aRejectionReadAsIsIsTheOneTheLockWouldHaveMadeAndWritesNothing(long seed) {
    Random random = new Random(seed);
    ClientEntry entry = new ClientEntry("client");
    int[] version = new int[RULES.size()];
    long now = T0 + 1_234;
    int readAsIs = 0;
    int lockedRejections = 0;
    int heldSlotEmptied = 0;
    for (int step = 0; step < 20_000; step++) {
      BucketSpec[] specs = pick(random, version);
      int roll = random.nextInt(100);
      if (roll < 55) {
        // the clock stands still: the case a flood is made of
      } else if (roll < 90) {
        now += 1 + random.nextInt(random.nextBoolean() ? 5 : 3_000);
      } else if (roll < 93) {
        now -= 1 + random.nextInt(2_000);
      } else if (roll < 94) {
        // a pause, then the store's sweep: idle rules go, and the one held in the entry's own
        // fields is taken by the next new rule
        now += 2_000 + random.nextInt(10_000);
        entry.dropIdle(now);
        if (entry.rule == null && entry.size() > 0) {
          heldSlotEmptied++;
        }
        continue;
      } else if (roll < 96) {
        int r = random.nextInt(RULES.size());
        version[r] ^= 1; // a reload
        continue;
      } else {
        long[] amounts = new long[InMemoryStore.usageLength(specs) / 3];
        for (int i = 0; i < amounts.length; i++) {
          amounts[i] = random.nextInt(5) - 2;
        }
        ClientEntry[] entries = new ClientEntry[specs.length];
        Arrays.fill(entries, entry);
        StatePasses.charge(specs, entries, amounts, now - random.nextInt(3_000), now);
        continue;
      }
      int cost = random.nextInt(10) == 0 ? 2 : 1;

      long[] asIs = new long[InMemoryStore.usageLength(specs)];
      boolean rejectedAsIs = StatePasses.rejectsAsIs(specs, entry, cost, asIs, now);
      String before = fingerprint(entry);

      long[] locked = new long[asIs.length];
      boolean admitted = StatePasses.check(specs, entry, null, cost, locked, now);
      StatePasses.settle(specs, entry, null, cost, locked, now, admitted);

      if (rejectedAsIs) {
        readAsIs++;
        assertFalse(admitted, "read as rejected, admitted by the lock at step " + step);
        locked[0] = 0; // the clock slot, filled by the store
        assertArrayEquals(locked, asIs, "usage at step " + step);
        assertEquals(before, fingerprint(entry), "the lock wrote at step " + step);
      }
      if (!admitted) {
        lockedRejections++;
      }
    }
    // The histories reach both outcomes: read as is, and left to the lock.
    assertTrue(readAsIs > 1_000, "rejections read as is: " + readAsIs);
    assertTrue(lockedRejections > readAsIs, "rejections: " + lockedRejections);
    assertTrue(heldSlotEmptied > 0, "the entry's own rule went idle while others stayed");
  }

  /**
   * Threads flooding a client over its quota read its states without the lock while another thread
   * writes them: refunds one unit at a time (each one more admission) and adds rule states (the
   * array the look-up walks grows under the readers). Nothing throws, a rejection's usage is whole,
   * and exactly the quota plus the refunds is admitted.
   */
  @Test
  @Tag("slow") // threads on one entry: a mutant that breaks the lock spins until PIT's timeout
  void floodingThreadsReadingWhileTheStatesAreWrittenAdmitExactlyTheQuotaPlusTheRefunds()
      throws Exception {
    int quota = 50;
    int refunds = 40;
    FakeClock clock = new FakeClock();
    InMemoryStore store = InMemoryStore.create(1_000, clock);
    BucketSpec[] flood = {
      new BucketSpec("flood", List.of(Limit.of(quota, Duration.ofMinutes(1))), false)
    };
    String[] client = {"c"};
    // Another rule first, so that the flood's state is found in the array that grows.
    store.acquire(
        new BucketSpec[] {new BucketSpec("a-first", List.of(FIXED), false)},
        client,
        1,
        new long[4]);

    AtomicInteger admitted = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> floods = new ArrayList<>();
    try {
      for (int t = 0; t < 3; t++) {
        floods.add(
            pool.submit(
                () -> {
                  long[] usage = new long[InMemoryStore.usageLength(flood)];
                  while (!stop.get()) {
                    if (store.acquire(flood, client, 1, usage)) {
                      admitted.incrementAndGet();
                    } else {
                      assertEquals(0, usage[1], "remaining of a rejection");
                      assertEquals(50_000, usage[2], "reset of a rejection");
                      assertEquals(50_000, usage[3], "retry of a rejection");
                    }
                  }
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (admitted.get() < quota && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < refunds; i++) {
                  store.charge(flood, client, new long[] {-1}, clock.millis());
                  BucketSpec[] another = {new BucketSpec("rule-" + i, List.of(FIXED), false)};
                  assertTrue(store.acquire(another, client, 1, new long[4]));
                  Thread.yield(); // let the floods read between writes
                }
                return null;
              });
      writer.get(30, TimeUnit.SECONDS);
      while (admitted.get() < quota + refunds && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      Thread.sleep(50); // anything admitted beyond would show now
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    for (Future<?> f : floods) {
      f.get(30, TimeUnit.SECONDS); // rethrows what a flood thread threw
    }
    assertEquals(quota + refunds, admitted.get());
  }

  private static BucketSpec[] pick(Random random, int[] version) {
    int n = 1 + random.nextInt(2);
    List<BucketSpec> specs = new ArrayList<>();
    int first = random.nextInt(RULES.size());
    for (int i = 0; i < n; i++) {
      int r = (first + i) % RULES.size();
      specs.add(RULES.get(r).get(version[r]));
    }
    return specs.toArray(new BucketSpec[0]);
  }

  /** Every field of the entry's states, the limits they follow by identity. */
  private static String fingerprint(Object o) {
    StringBuilder out = new StringBuilder();
    fingerprint(o, out);
    return out.toString();
  }

  private static void fingerprint(Object o, StringBuilder out) {
    if (o == null) {
      out.append("null");
      return;
    }
    Class<?> type = o.getClass();
    if (type.isArray()) {
      out.append('[');
      for (int i = 0; i < Array.getLength(o); i++) {
        fingerprint(Array.get(o, i), out);
        out.append(',');
      }
      out.append(']');
      return;
    }
    if (!type.getPackageName().equals(ClientEntry.class.getPackageName())) {
      out.append(o instanceof Number ? o : type.getSimpleName() + "@" + System.identityHashCode(o));
      return;
    }
    out.append(type.getSimpleName()).append('{');
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("state")) {
          continue; // the lock's word is the store's, not the decision's
        }
        f.setAccessible(true);
        out.append(f.getName()).append('=');
        try {
          fingerprint(f.get(o), out);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
        out.append(';');
      }
    }
    out.append('}');
  }
}
