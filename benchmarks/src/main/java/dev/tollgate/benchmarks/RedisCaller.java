package dev.tollgate.benchmarks;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * One caller thread of {@link RedisBenchmark#run}: calls its contender back to back, walking the
 * key draws from its own start, until the end time; keeps the latency of every call that starts in
 * the measured period, and counts calls, admissions and errors. Read its results after the thread
 * has been joined.
 */
final class RedisCaller implements Runnable {

  private static final int REJECTED = 0;
  private static final int ADMITTED = 1;
  private static final int FAILED = 2;

  private final Contender contender;
  private final int[] draws;
  private final int firstDraw;
  private final CountDownLatch ready;
  private final CountDownLatch go;
  private final long[] times;

  private long[] samples;
  private int sampleCount;
  private long admitted;
  private long errors;
  private long calls;
  private String firstError;

  /**
   * {@code times} holds the start of the measured period and the end, in {@link System#nanoTime}:
   * written before {@code go} opens, which publishes them.
   */
  RedisCaller(
      Contender contender,
      int[] draws,
      int firstDraw,
      CountDownLatch ready,
      CountDownLatch go,
      long[] times) {
    this.contender = contender;
    this.draws = draws;
    this.firstDraw = firstDraw;
    this.ready = ready;
    this.go = go;
    this.times = times;
  }

  @Override
  public void run() {
    long[] lat = new long[1 << 16];
    int n = 0;
    int at = firstDraw;
    ready.countDown();
    try {
      go.await();
    } catch (InterruptedException e) {
      return;
    }
    long measureFrom = times[0];
    long end = times[1];
    while (true) {
      int key = draws[at];
      at = at + 1 == draws.length ? 0 : at + 1;
      long t0 = System.nanoTime();
      if (t0 >= end) {
        break;
      }
      int outcome = decide(key);
      long t1 = System.nanoTime();
      calls++;
      if (t0 >= measureFrom) {
        if (n == lat.length) {
          lat = Arrays.copyOf(lat, n * 2);
        }
        lat[n++] = t1 - t0;
        if (outcome == FAILED) {
          errors++;
        } else if (outcome == ADMITTED) {
          admitted++;
        }
      }
    }
    samples = lat;
    sampleCount = n;
  }

  /** One decision; an exception counts as an error, and the first one is kept. */
  private int decide(int key) {
    try {
      return contender.tryAcquire(key) ? ADMITTED : REJECTED;
    } catch (RuntimeException e) {
      if (firstError == null) {
        firstError = e.toString();
      }
      return FAILED;
    }
  }

  /** The latencies of the measured calls, in call order. */
  long[] samples() {
    return Arrays.copyOf(samples, sampleCount);
  }

  long admitted() {
    return admitted;
  }

  long errors() {
    return errors;
  }

  /** All calls, warm-up included. */
  long calls() {
    return calls;
  }

  String firstError() {
    return firstError;
  }
}
