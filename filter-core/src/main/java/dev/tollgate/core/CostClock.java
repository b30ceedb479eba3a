package dev.tollgate.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.jspecify.annotations.Nullable;

/**
 * Where the cost of a request is measured for limits in time and CPU: a monotonic nanosecond clock
 * and the CPU time of the current thread. Injected so that tests make a request "slow" without
 * sleeping. Implementations must be thread-safe.
 */
public interface CostClock {

  /** A monotonic time in nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /**
   * The CPU time the current thread has used, in nanoseconds, or -1 if this JVM cannot measure it
   * (CPU limits then charge wall time, with a warning at startup).
   */
  long currentThreadCpuNanos();

  /**
   * {@link System#nanoTime()} and the JVM's {@link ThreadMXBean}, where it supports thread CPU
   * time.
   */
  static CostClock system() {
    return SystemCostClock.INSTANCE;
  }

  /**
   * The system cost clock; thread CPU time is switched on if the JVM supports it but has it off.
   */
  final class SystemCostClock implements CostClock {
    static final SystemCostClock INSTANCE = new SystemCostClock();

    private final @Nullable ThreadMXBean threads;
    private final boolean cpu;

    private SystemCostClock() {
      ThreadMXBean bean = null;
      boolean supported = false;
      try {
        bean = ManagementFactory.getThreadMXBean();
        supported = bean.isCurrentThreadCpuTimeSupported();
        if (supported && !bean.isThreadCpuTimeEnabled()) {
          bean.setThreadCpuTimeEnabled(true);
        }
        supported = supported && bean.isThreadCpuTimeEnabled();
      } catch (RuntimeException | LinkageError e) {
        supported = false; // no java.management, or a security manager says no
      }
      this.threads = bean;
      this.cpu = supported;
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long currentThreadCpuNanos() {
      ThreadMXBean bean = threads; // non-null whenever cpu is true
      return cpu && bean != null ? bean.getCurrentThreadCpuTime() : -1;
    }
  }
}
