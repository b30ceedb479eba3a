package dev.tollgate.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws key indices from a Zipf distribution over {@code n} keys with exponent {@code s}: key
 * {@code k} (from 0) is drawn with probability proportional to {@code 1 / (k + 1)^s}. Inverse
 * transform sampling over the precomputed cumulative distribution; written here rather than taken
 * from commons-math so that the draw is obvious and dependency-free.
 */
final class Zipf {

  private Zipf() {}

  /**
   * {@code count} indices in [0, n), from a fixed seed so every contender sees the same sequence.
   */
  static int[] sample(int n, double s, int count, long seed) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, s);
      cdf[k] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      double u = random.nextDouble() * sum;
      int at = Arrays.binarySearch(cdf, u);
      out[i] = at >= 0 ? at : Math.min(n - 1, -at - 1);
    }
    return out;
  }
}
