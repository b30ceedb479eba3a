package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HttpOverheadTest {

  private static HttpOverhead.Load load(double perSecond) {
    return new HttpOverhead.Load(perSecond, 0, 0, 0);
  }

  @Test
  void aVariantsCostIsTakenRoundByRoundSoThatASlowerHostIsNotChargedToIt() {
    // The host is slow in the second round and during the variant's part of the third: the variant
    // serves 10% less than the plain endpoint of its round twice, and 55% less once.
    List<HttpOverhead.Load> plain = List.of(load(100), load(50), load(100));
    List<HttpOverhead.Load> variant = List.of(load(90), load(45), load(45));

    // Round by round: 10%, 10%, 55%: the median is 10%. (The ratio of the medians, 45 / 100, would
    // say 55%.)
    assertEquals(0.10, HttpOverhead.medianLoss(variant, plain), 1e-9);
  }
}
