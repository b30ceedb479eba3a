package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.header;
import static dev.tollgate.core.Fixtures.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Limits on what requests cost (time, CPU, bytes), counting by outcome and refunds, on fake clocks.
 */
class CostLimitsTest {

  private final FakeClock clock = FakeClock.at1800();
  private final FakeCostClock cost = FakeCostClock.withCpu();
  private final TestRequest request = TestRequest.get("/search");

  private Tollgate engine(String... kv) {
    return Tollgate.builder(TollgateConfig.parse(props(kv))).clock(clock).costClock(cost).build();
  }

  /**
   * One request that takes {@code took} on its thread and answers {@code status} with {@code
   * bytes}.
   */
  private Verdict serve(Tollgate t, Duration took, int status, long bytes) {
    Verdict v = t.check(request);
    if (v.proceed()) {
      cost.compute(took);
      v.complete(status, bytes);
    }
    return v;
  }

  private static long remaining(Verdict v, String policy) {
    return MultiLimitTest.remaining(v, policy);
  }

  @Test
  void limitsReadTheirUnits() {
    Limit time = Limit.parse("30s/1m time");
    assertEquals(QuotaUnit.TIME, time.unit());
    assertEquals(30_000, time.quota());
    assertEquals("time-minute", time.name());
    assertEquals("30s/1m time as time-minute", time.toString());
    assertEquals(time, Limit.parse(time.toString()));
    Limit cpu = Limit.parse("1500ms/1m cpu rolling as busy");
    assertEquals(QuotaUnit.CPU, cpu.unit());
    assertEquals(1_500, cpu.quota());
    assertEquals(Algorithm.ROLLING_WINDOW, cpu.algorithm());
    assertEquals("busy", cpu.name());
    Limit bytes = Limit.parse("500MB/1h bytes");
    assertEquals(QuotaUnit.BYTES, bytes.unit());
    assertEquals(500L << 20, bytes.quota());
    assertEquals("bytes-hour", bytes.name());
    assertEquals(bytes, Limit.parse("500MB/1h"), "a size implies bytes");
    assertEquals(Limit.parse("2h/1d time token-bucket"), Limit.parse("2h/1d token-bucket time"));
    assertEquals(QuotaUnit.REQUESTS, Limit.parse("100/1m").unit());
    assertEquals(QuotaUnit.REQUESTS, Limit.parse("100/1m requests").unit());
    assertFalse(
        Limit.parse("60/1m").stateId().equals(Limit.parse("60s/1m time").stateId()),
        "a request count and a time budget never share their state");
  }

  @Test
  void malformedCostLimitsFailAtStartupNamingKeyAndValue() {
    for (String bad :
        new String[] {
          "30s/1m",
          "30/1m time",
          "30s/1m bytes",
          "5GB/1h bytes",
          "10x/1m cpu",
          "1MB/1m time",
          "30s/1m time cpu"
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () ->
                  TollgateConfig.parse(
                      props("rules.search.path", "/search", "rules.search.limits", bad)),
              bad);
      assertTrue(
          e.getMessage().contains("rules.search.limits") && e.getMessage().contains(bad),
          e.getMessage());
    }
    ConfigException e =
        assertThrows(ConfigException.class, () -> TollgateConfig.parse(props("count", "errors")));
    assertTrue(
        e.getMessage().contains("count") && e.getMessage().contains("errors"), e.getMessage());
  }

  @Test
  void aTimeBudgetAdmitsUntilExhaustedThenWaitsForTheWindow() {
    clock.advance(Duration.ofSeconds(10)); // 18:00:10
    Tollgate t = engine("limits", "30s/1m time");
    Verdict first = serve(t, Duration.ofSeconds(20), 200, 0);
    assertTrue(first.proceed());
    assertEquals(
        30_000, remaining(first, "time-minute"), "admission takes nothing from a time budget");
    Verdict second = serve(t, Duration.ofSeconds(15), 200, 0);
    assertTrue(second.proceed(), "10s are left, so a request is admitted");
    assertEquals(10_000, remaining(second, "time-minute"));
    // 35s used of 30s: overdrawn.
    clock.advance(Duration.ofSeconds(5)); // 18:00:15
    Verdict third = t.check(request);
    assertFalse(third.proceed());
    assertEquals(429, third.status());
    assertEquals("45", header(third, "Retry-After"), "until the window ends, not 0 and no longer");
    clock.advance(Duration.ofSeconds(44));
    assertFalse(t.check(request).proceed());
    clock.advance(Duration.ofSeconds(1)); // 18:01:00: refilled
    Verdict refilled = t.check(request);
    assertTrue(refilled.proceed());
    assertEquals(30_000, remaining(refilled, "time-minute"));
  }

  @Test
  void anOverdrawnTokenBucketRefillsGraduallyAndSaysWhen() {
    Tollgate t = engine("limits", "60s/1m time token-bucket");
    serve(t, Duration.ofSeconds(90), 200, 0); // owes beyond one window: capped at one window
    Verdict rejected = t.check(request);
    assertFalse(rejected.proceed());
    assertEquals("1", header(rejected, "Retry-After"), "1ms of budget comes back 1ms later");
    clock.advance(Duration.ofSeconds(1));
    Verdict admitted = t.check(request);
    assertTrue(admitted.proceed());
    assertEquals(1_000, remaining(admitted, "time-minute"));
  }

  @Test
  void anOverdrawnRollingWindowWaitsUntilTheChargeLeavesIt() {
    Tollgate t = engine("limits", "10s/1m time rolling(10s)");
    clock.advance(Duration.ofSeconds(25)); // 18:00:25, bucket 18:00:20-18:00:30
    serve(t, Duration.ofSeconds(12), 200, 0);
    Verdict rejected = t.check(request);
    assertFalse(rejected.proceed());
    // The charge counts in the bucket of 18:00:20, which has left the window at 18:01:30.
    assertEquals("65", header(rejected, "Retry-After"));
    clock.advance(Duration.ofSeconds(65));
    assertTrue(t.check(request).proceed());
  }

  @Test
  void cpuTimeIsTheThreadsNotTheWait() {
    Tollgate t = engine("limits", "1s/1m cpu");
    Verdict v = t.check(request);
    cost.elapse(Duration.ofSeconds(5)); // waiting on I/O
    cost.compute(Duration.ofMillis(400));
    v.complete(200, 0);
    Verdict next = t.check(request);
    assertEquals(600, remaining(next, "cpu-minute"));
    cost.compute(Duration.ofMillis(700));
    next.complete(200, 0);
    assertFalse(t.check(request).proceed());
  }

  @Test
  void cpuTimeStopsWhenTheRequestThreadLeaves() throws Exception {
    Tollgate t = engine("limits", "1s/1m cpu");
    Verdict v = t.check(request);
    cost.compute(Duration.ofMillis(300));
    v.requestThreadDone(); // the request goes on asynchronously
    cost.compute(Duration.ofMillis(500)); // this thread serves something else
    Thread other = new Thread(() -> v.complete(200, 0));
    other.start();
    other.join();
    assertEquals(700, remaining(t.check(request), "cpu-minute"));
  }

  @Test
  void withoutThreadCpuTimeCpuLimitsChargeWallTime() {
    FakeCostClock noCpu = FakeCostClock.withoutCpu();
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(props("limits", "1s/1m cpu")))
            .clock(clock)
            .costClock(noCpu)
            .build();
    Verdict v = t.check(request);
    noCpu.elapse(Duration.ofMillis(250));
    v.complete(200, 0);
    assertEquals(750, remaining(t.check(request), "cpu-minute"));
  }

  @Test
  void aLargeResponseExhaustsABytesBudget() {
    Tollgate t = engine("limits", "1MB/1m bytes");
    assertTrue(serve(t, Duration.ZERO, 200, 700_000).proceed());
    Verdict second = serve(t, Duration.ZERO, 200, 700_000);
    assertTrue(second.proceed());
    assertEquals((1 << 20) - 700_000, remaining(second, "bytes-minute"));
    Verdict third = t.check(request);
    assertFalse(third.proceed());
    assertEquals("60", header(third, "Retry-After"));
  }

  @Test
  void requestAndTimeLimitsOfOneRuleCombine() {
    Tollgate t = engine("limits", "3/1m, 10s/1m time");
    Verdict a = serve(t, Duration.ofSeconds(1), 200, 0);
    assertEquals(2, remaining(a, "minute"), "requests are counted on admission");
    serve(t, Duration.ofSeconds(1), 200, 0);
    serve(t, Duration.ofSeconds(1), 200, 0);
    Verdict rejectedByCount = t.check(request);
    assertFalse(rejectedByCount.proceed());
    assertEquals(java.util.List.of("minute"), MultiLimitTest.rejecting(rejectedByCount));
    assertEquals(7_000, remaining(rejectedByCount, "time-minute"));

    clock.advance(Duration.ofMinutes(1));
    serve(t, Duration.ofSeconds(11), 200, 0);
    Verdict rejectedByTime = t.check(request);
    assertFalse(rejectedByTime.proceed());
    assertEquals(java.util.List.of("time-minute"), MultiLimitTest.rejecting(rejectedByTime));
    assertEquals(
        2, remaining(rejectedByTime, "minute"), "a rejected request takes nothing from the count");
  }

  @Test
  void countFailedCountsOnlyFourAndFiveHundreds() {
    Tollgate t = engine("limits", "3/1m", "count", "failed");
    for (int status : new int[] {200, 201, 204, 302, 304, 200, 200}) {
      assertTrue(serve(t, Duration.ZERO, status, 0).proceed());
    }
    assertEquals(3, remaining(t.check(request), "minute"), "successes do not count");
    serve(t, Duration.ZERO, 404, 0); // the check above was never completed: nothing counted for it
    serve(t, Duration.ZERO, 500, 0);
    Verdict third = serve(t, Duration.ZERO, 401, 0);
    assertTrue(third.proceed(), "admitted up front while failures are under the quota");
    Verdict fourth = t.check(request);
    assertFalse(fourth.proceed());
    assertEquals(429, fourth.status());
    assertEquals(0, remaining(fourth, "minute"));
  }

  @Test
  void countSuccessfulCountsOnlyBelowFourHundred() {
    Tollgate t = engine("limits", "2/1m", "count", "successful");
    for (int i = 0; i < 5; i++) {
      serve(t, Duration.ZERO, 404, 0);
    }
    serve(t, Duration.ZERO, 200, 0);
    serve(t, Duration.ZERO, 304, 0);
    assertFalse(t.check(request).proceed());
  }

  @Test
  void aServerErrorIsRefundedWhenTheRuleSaysSo() {
    Tollgate t = engine("limits", "2/1m, 10s/1m time", "refund-on-server-error", "true");
    serve(t, Duration.ofSeconds(5), 503, 0);
    serve(t, Duration.ofSeconds(5), 500, 0);
    Verdict v = serve(t, Duration.ofSeconds(4), 200, 0);
    assertTrue(v.proceed());
    assertEquals(1, remaining(v, "minute"), "the two server errors were given back");
    Verdict after = t.check(request);
    assertEquals(
        6_000, remaining(after, "time-minute"), "only the successful request's time counts");
    assertEquals(0, remaining(after, "minute"));
  }

  @Test
  void aRefundAfterTheWindowChangedGivesNothingBack() {
    Tollgate t = engine("limits", "2/1m", "refund-on-server-error", "true");
    clock.advance(Duration.ofSeconds(59));
    Verdict v = t.check(request);
    clock.advance(Duration.ofSeconds(2)); // the next window: what v took is gone already
    t.check(request);
    v.complete(500, 0);
    assertEquals(0, remaining(t.check(request), "minute"));
  }

  @Test
  void completingTwiceChargesOnce() {
    Tollgate t = engine("limits", "10s/1m time");
    Verdict v = t.check(request);
    cost.compute(Duration.ofSeconds(3));
    v.complete(200, 0);
    v.complete(200, 0);
    assertEquals(7_000, remaining(t.check(request), "time-minute"));
  }

  @Test
  void concurrentChargesAddUpExactly() throws Exception {
    dev.tollgate.core.store.InMemoryStore store =
        dev.tollgate.core.store.InMemoryStore.create(100, clock);
    java.util.List<Limit> limits =
        java.util.List.of(
            Limit.parse("1000s/1m time"),
            Limit.parse("1000s/1m time rolling as r"),
            Limit.parse("1000s/1m time token-bucket as t"));
    dev.tollgate.core.store.BucketSpec[] specs = {
      new dev.tollgate.core.store.BucketSpec("default", limits, false)
    };
    String[] clients = {"c"};
    int threads = 32;
    int charges = 200;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.List<Thread> running = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int c = 0; c < charges; c++) {
                  store.charge(specs, clients, new long[] {7, 7, 7}, clock.millis());
                }
              });
      th.start();
      running.add(th);
    }
    start.countDown();
    for (Thread th : running) {
      th.join();
    }
    long[] usage = new long[1 + 3 * 3];
    store.acquire(specs, clients, 0, usage);
    long used = 7L * threads * charges;
    assertEquals(1_000_000 - used, usage[1], "fixed");
    assertEquals(1_000_000 - used, usage[4], "rolling");
    assertEquals(1_000_000 - used, usage[7], "token bucket");
  }

  @Test
  void metricsCountWhatWasCharged() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Tollgate t =
        Tollgate.builder(TollgateConfig.parse(props("limits", "30s/1m time, 1MB/1m bytes")))
            .clock(clock)
            .costClock(cost)
            .metrics(new dev.tollgate.core.micrometer.MicrometerMetrics(registry))
            .build();
    serve(t, Duration.ofMillis(1500), 200, 4096);
    serve(t, Duration.ofMillis(500), 200, 1024);
    assertEquals(2000, registry.counter("tollgate.charged", "unit", "time").count());
    assertEquals(5120, registry.counter("tollgate.charged", "unit", "bytes").count());
    assertEquals(
        0,
        registry.counter("tollgate.charged", "unit", "cpu").count(),
        "no cpu limit, nothing measured");
  }

  @Test
  void plainRoutesCarryNoCharge() {
    Tollgate t = engine("limits", "100/1m");
    Verdict v = t.check(request);
    assertFalse(v.chargesAfterResponse());
    assertFalse(v.countsResponseBytes());
    assertNull(v.charge);
    assertTrue(engine("limits", "1MB/1m bytes").check(request).countsResponseBytes());
  }

  @Test
  void theStatusDocumentShowsUnits() {
    Tollgate t = engine("limits", "100/1m, 30s/1m time", "status.path", "/rate_limit");
    Verdict s = t.check(TestRequest.get("/rate_limit"));
    assertTrue(
        s.body().contains("\"policy\":\"time-minute\",\"algorithm\":\"fixed\",\"limit\":30000"),
        s.body());
    assertTrue(s.body().contains("\"unit\":\"time\""), s.body());
    assertTrue(s.body().contains("\"unit\":\"requests\""), s.body());
  }
}
