package dev.tollgate.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per tracked client: {@code MemoryFootprint <contender> <clients>} creates the contender,
 * makes one call for each of {@code clients} distinct keys, and prints the growth of the used heap
 * after full collections, divided by the number of clients. The keys themselves (and our
 * precomputed {@code Bucket}s) exist before the first measurement, so only what the limiter retains
 * is counted: a limiter that keeps the caller's key string pays nothing for it, one that builds its
 * own key pays for that string. With up to 200,000 clients, JOL's walk of the limiter's object
 * graph (minus the key strings) is printed too, as a cross-check. Run it in a fresh JVM per
 * contender.
 */
public final class MemoryFootprint {

  private MemoryFootprint() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    int clients = Integer.parseInt(args[1]);
    String[] keys = Keys.create(clients);
    try (Contender contender = Contenders.create(name, keys)) {
      long before = usedAfterGc();
      int admitted = 0;
      for (int i = 0; i < clients; i++) {
        if (contender.tryAcquire(i)) {
          admitted++;
        }
      }
      long after = usedAfterGc();
      if (admitted != clients) {
        throw new IllegalStateException(
            name + " admitted " + admitted + " of " + clients + " first calls");
      }
      double heapPerClient = (after - before) / (double) clients;
      String jol = "n/a";
      if (clients <= 200_000) {
        GraphLayout limiter = GraphLayout.parseInstance(contender.retained());
        GraphLayout callerKeys = GraphLayout.parseInstance((Object) keys);
        jol = String.format("%.1f", limiter.subtract(callerKeys).totalSize() / (double) clients);
      }
      // One line for Suite to read; the rest of the output is for humans.
      System.out.printf(
          "MEMORY %s clients=%d heapBytesPerClient=%.1f jolBytesPerClient=%s%n",
          name, clients, heapPerClient, jol);
      Reference.reachabilityFence(contender);
      Reference.reachabilityFence(keys);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // Several rounds: until the heap stops shrinking, so that finalizers and soft state settle.
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
