package dev.tollgate.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cost clock that moves only when a test moves it; CPU time is one counter for every thread, or
 * unsupported.
 */
public final class FakeCostClock implements CostClock {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong cpu;

  private FakeCostClock(long cpu) {
    this.cpu = new AtomicLong(cpu);
  }

  public static FakeCostClock withCpu() {
    return new FakeCostClock(0);
  }

  /** A JVM that cannot measure thread CPU time. */
  public static FakeCostClock withoutCpu() {
    return new FakeCostClock(-1);
  }

  /** Time passes for the request being served (wall time only). */
  public FakeCostClock elapse(Duration d) {
    nanos.addAndGet(d.toNanos());
    return this;
  }

  /** The request's thread computes for {@code d}: wall and CPU time pass. */
  public FakeCostClock compute(Duration d) {
    nanos.addAndGet(d.toNanos());
    if (cpu.get() >= 0) {
      cpu.addAndGet(d.toNanos());
    }
    return this;
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long currentThreadCpuNanos() {
    return cpu.get();
  }
}
