package dev.tollgate.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one rate-limit decision, per contender and scenario. Time per operation is per
 * thread: with 4 threads on 2 cores it includes waiting for a core.
 *
 * <ul>
 *   <li>{@code hot}: every call is for one key. After the first 100 calls of a window every
 *       contender rejects, so this is mostly the rejecting path: what a limiter does under a flood.
 *   <li>{@code zipf}: keys drawn from Zipf(1,000,000, s=1.0), a fixed precomputed sequence; each
 *       thread starts at a random place in it. Hot keys are soon rejected, the long tail admitted.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecisionBenchmark {

  static final int ZIPF_KEYS = 1_000_000;
  static final double ZIPF_EXPONENT = 1.0;
  static final int ZIPF_DRAWS = 1 << 22; // 4M draws, 16 MB: far beyond any cache
  static final long ZIPF_SEED = 42;

  /** One contender shared by every thread, as one limiter serves a whole application. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"tollgate"})
    public String contender;

    @Param({"hot", "zipf"})
    public String scenario;

    Contender limiter;
    int[] draws;

    @Setup(Level.Trial)
    public void setUp() {
      if (scenario.equals("hot")) {
        limiter = Contenders.create(contender, Keys.create(1));
        draws = new int[] {0};
      } else {
        limiter = Contenders.create(contender, Keys.create(ZIPF_KEYS));
        draws = Zipf.sample(ZIPF_KEYS, ZIPF_EXPONENT, ZIPF_DRAWS, ZIPF_SEED);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      limiter.close();
    }
  }

  /** Each thread walks the shared sequence of draws from its own random start. */
  @State(Scope.Thread)
  public static class Cursor {
    int at;

    @Setup(Level.Trial)
    public void setUp() {
      at = ThreadLocalRandom.current().nextInt(1 << 20);
    }

    int next(int[] draws) {
      // draws.length is a power of two (or 1 for the hot key).
      int i = at++ & (draws.length - 1);
      return draws[i];
    }
  }

  @Benchmark
  public boolean decide(Shared shared, Cursor cursor) {
    return shared.limiter.tryAcquire(cursor.next(shared.draws));
  }
}
