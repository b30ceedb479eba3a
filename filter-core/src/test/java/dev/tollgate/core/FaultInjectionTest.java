package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults injected where the engine calls out (the store, the client-key resolver): every store
 * failure short of a failing JVM meets the rule's store-failure policy, with a warning at most once
 * a minute of the engine's clock; a failing resolver reaches the adapter, which lets the request
 * through (see the adapters' FaultInjectionIT).
 */
class FaultInjectionTest {

  private final FakeClock clock = FakeClock.at1800();
  private final FaultyStore store = new FaultyStore(InMemoryStore.create(1000, clock), clock);
  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  static Stream<Arguments> storeFaults() {
    return Stream.of(
        Arguments.of(
            "IllegalStateException",
            (Supplier<Throwable>) () -> new IllegalStateException("bug in the store")),
        Arguments.of(
            "StoreUnavailableException",
            (Supplier<Throwable>) () -> new StoreUnavailableException("refused")),
        Arguments.of(
            "NoClassDefFoundError",
            (Supplier<Throwable>) () -> new NoClassDefFoundError("io/lettuce/core/Missing")),
        Arguments.of(
            "AssertionError", (Supplier<Throwable>) () -> new AssertionError("store invariant")),
        Arguments.of(
            "ExceptionInInitializerError",
            (Supplier<Throwable>) () -> new ExceptionInInitializerError("static init")));
  }

  private Tollgate engine(String onFailure) {
    return Tollgate.builder(
            TollgateConfig.parse(Map.of("limits", "3/1m", "on-store-failure", onFailure)))
        .store(store)
        .clock(clock)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("storeFaults")
  void aFailingStoreMeetsThePolicyAndIsWarnedAboutOnceAMinute(
      String name, Supplier<Throwable> fault) {
    Tollgate open = engine("open");
    Tollgate closed = engine("closed");
    Tollgate local = engine("local");
    store.fault = fault;
    for (int i = 0; i < 5; i++) {
      assertTrue(open.check(TestRequest.get("/x")).proceed(), name + ": open lets it through");
      Verdict v = closed.check(TestRequest.get("/x"));
      assertEquals(503, v.status(), name + ": closed answers 503");
      assertEquals(Verdict.Outcome.STORE_UNAVAILABLE, v.outcome());
    }
    assertEquals(
        3,
        Fixtures.admitted(local, TestRequest.get("/x"), 5),
        name + ": local counts 3/1m on this server");
    // Three engines, each with its own throttle (the local one also announces its switch, once).
    assertEquals(3, storeWarnings(), name + ": " + messages());
    assertEquals(4, warnings.size(), messages().toString());

    clock.advance(Duration.ofSeconds(59));
    open.check(TestRequest.get("/x"));
    assertEquals(3, storeWarnings(), "not again within the minute");
    clock.advance(Duration.ofSeconds(1));
    open.check(TestRequest.get("/x"));
    open.check(TestRequest.get("/x"));
    assertEquals(4, storeWarnings(), "once more a minute after the last warning");
    assertTrue(messages().get(0).contains(name), "the warning names the failure: " + messages());
  }

  @Test
  void aFailingJvmIsNotHiddenAsAStoreFailure() {
    Tollgate open = engine("open");
    StackOverflowError overflow = new StackOverflowError();
    store.fault = () -> overflow;
    assertSame(
        overflow, assertThrows(StackOverflowError.class, () -> open.check(TestRequest.get("/x"))));
    OutOfMemoryError oom = new OutOfMemoryError("test");
    store.fault = () -> oom;
    assertSame(oom, assertThrows(OutOfMemoryError.class, () -> open.check(TestRequest.get("/x"))));
  }

  @Test
  void aSlowAnswerIsStillTheAnswer() {
    Tollgate t = engine("closed");
    store.slowBy = Duration.ofSeconds(5); // the store takes 5 s of the engine's clock to answer
    for (int i = 0; i < 3; i++) {
      assertTrue(t.check(TestRequest.get("/x")).proceed());
    }
    Verdict rejected = t.check(TestRequest.get("/x"));
    assertEquals(
        429, rejected.status(), "counted as usual: a store without a timeout is waited for");
    assertEquals(0, storeWarnings());
  }

  @Test
  void aFailingClientKeyResolverReachesTheAdapter() {
    ClientKeyResolver broken =
        request -> {
          throw new NoClassDefFoundError("com/example/TenantLookup");
        };
    Tollgate t =
        Tollgate.builder(TollgateConfig.builder().clientKey(broken).build()).clock(clock).build();
    NoClassDefFoundError e =
        assertThrows(NoClassDefFoundError.class, () -> t.check(TestRequest.get("/x")));
    // The adapters catch it (servlet TollgateFilter, JAX-RS Gate) and let the request through;
    // their
    // tests (FaultInjectionIT) show it over HTTP.
    assertEquals("com/example/TenantLookup", e.getMessage());
  }

  private long storeWarnings() {
    return warnings.stream()
        .filter(r -> format(r).startsWith("Rate-limit store cannot decide"))
        .count();
  }

  private List<String> messages() {
    return warnings.stream().map(FaultInjectionTest::format).toList();
  }

  private static String format(LogRecord r) {
    return java.text.MessageFormat.format(
        r.getMessage(), r.getParameters() == null ? new Object[0] : r.getParameters());
  }

  /**
   * Answers like its delegate, or fails with {@link #fault}, or answers after {@link #slowBy} of
   * the clock.
   */
  static final class FaultyStore implements RateLimitStore {
    private final RateLimitStore delegate;
    private final FakeClock clock;
    volatile Supplier<Throwable> fault;
    volatile Duration slowBy = Duration.ZERO;

    FaultyStore(RateLimitStore delegate, FakeClock clock) {
      this.delegate = delegate;
      this.clock = clock;
    }

    @Override
    public AcquireResult acquire(AcquireRequest request) {
      Supplier<Throwable> f = fault;
      if (f != null) {
        Throwable t = f.get();
        if (t instanceof RuntimeException r) {
          throw r;
        }
        throw (Error) t;
      }
      clock.advance(slowBy);
      return delegate.acquire(request);
    }
  }
}
