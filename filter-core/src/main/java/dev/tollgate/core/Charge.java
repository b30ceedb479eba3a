package dev.tollgate.core;

import dev.tollgate.core.store.InMemoryStore;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One admitted request's open account: what it is measured from (admission time, the admitting
 * thread's CPU time) until its response is complete, when {@link Verdict#complete} charges it. Made
 * only for routes with a {@link Metering}.
 */
final class Charge {

  private final Charging charging;

  /** The in-memory store the request was decided in, or null for the configured shared store. */
  final @Nullable InMemoryStore memory;

  final Route route;
  final String[] clients;
  final long admittedAtMillis;
  private final CostClock clock;
  private final long startNanos;
  private final @Nullable Thread thread;
  private final long startCpu;

  /** The admitting thread's CPU time for this request, once measured; -1 until then. */
  private volatile long cpuNanos = -1;

  Charge(
      Charging charging,
      CostClock clock,
      @Nullable InMemoryStore memory,
      Route route,
      String[] clients,
      long admittedAtMillis) {
    this.charging = charging;
    this.clock = clock;
    this.memory = memory;
    this.route = route;
    this.clients = clients;
    this.admittedAtMillis = admittedAtMillis;
    this.startNanos = clock.nanoTime();
    // Only a metered route's admission makes a charge.
    boolean cpu = Objects.requireNonNull(route.metering, "metering").cpu;
    this.thread = cpu ? Thread.currentThread() : null;
    this.startCpu = cpu ? clock.currentThreadCpuNanos() : -1;
  }

  /** On the admitting thread: the request leaves it (it completes, or goes on asynchronously). */
  void requestThreadDone() {
    if (thread == Thread.currentThread() && cpuNanos < 0 && startCpu >= 0) {
      long now = clock.currentThreadCpuNanos();
      cpuNanos = now >= 0 ? Math.max(0, now - startCpu) : 0;
    }
  }

  void complete(int status, long bytes) {
    long wall = Math.max(0, clock.nanoTime() - startNanos);
    long cpu = 0;
    if (Objects.requireNonNull(route.metering, "metering").cpu) {
      if (startCpu < 0) {
        cpu = wall; // the JVM cannot measure thread CPU time: wall time instead (warned at startup)
      } else {
        requestThreadDone();
        cpu = Math.max(0, cpuNanos);
      }
    }
    long[] amounts = route.metering.amounts(status, wall, cpu, bytes);
    if (amounts != null) {
      charging.charge(this, amounts, wall, cpu, bytes);
    }
  }
}
