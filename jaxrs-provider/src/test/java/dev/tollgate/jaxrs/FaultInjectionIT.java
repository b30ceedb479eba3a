package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Rule;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.StoreUnavailableException;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults injected at the calls the provider makes into core (a client-key resolver that throws) and
 * core makes into the store (exceptions, errors, slow answers), over real HTTP on Grizzly: never a
 * 500, the page size still holds, and each warning at most once a minute of the engine's clock.
 */
class FaultInjectionIT extends GrizzlyJerseyTest {

  private FakeClock clock;
  private volatile Supplier<Throwable> storeFault;
  private volatile Supplier<Throwable> resolverFault;
  private volatile long storeSleepMillis;
  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(
                java.text.MessageFormat.format(
                    r.getMessage(), r.getParameters() == null ? new Object[0] : r.getParameters()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @Override
  protected Application application() {
    clock = new FakeClock(Instant.parse("2023-11-14T22:14:15Z"));
    RateLimitStore memory = InMemoryStore.create(1000, clock);
    RateLimitStore store =
        new RateLimitStore() {
          @Override
          public AcquireResult acquire(AcquireRequest request) {
            throwIfSet(storeFault);
            if (storeSleepMillis > 0) {
              try {
                Thread.sleep(storeSleepMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return memory.acquire(request);
          }
        };
    TollgateConfig config =
        TollgateConfig.builder()
            .defaultRule(Rule.builder(Rule.DEFAULT).limits("100/1m").build())
            .rule(
                Rule.builder("closed")
                    .paths("/reports/**")
                    .limits("100/1m")
                    .onStoreFailure(Rule.StoreFailure.CLOSED)
                    .build())
            .clientKey(
                request -> {
                  throwIfSet(resolverFault);
                  return "tenant";
                })
            .build();
    Tollgate tollgate = Tollgate.builder(config).store(store).clock(clock).build();
    return new ResourceConfig(TestResources.Items.class, TestResources.Reports.class)
        .register(new TollgateFeature(tollgate));
  }

  @BeforeEach
  void captureWarnings() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  private static void throwIfSet(Supplier<Throwable> fault) {
    if (fault == null) {
      return;
    }
    Throwable t = fault.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw (Error) t;
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(
            "IllegalStateException", (Supplier<Throwable>) () -> new IllegalStateException("bug")),
        Arguments.of(
            "StoreUnavailableException",
            (Supplier<Throwable>) () -> new StoreUnavailableException("refused")),
        Arguments.of(
            "NoClassDefFoundError",
            (Supplier<Throwable>) () -> new NoClassDefFoundError("com/example/Missing")),
        Arguments.of("AssertionError", (Supplier<Throwable>) () -> new AssertionError("invariant")),
        Arguments.of(
            "ExceptionInInitializerError",
            (Supplier<Throwable>) () -> new ExceptionInInitializerError("init")));
  }

  private long warningsStartingWith(String prefix) {
    return warnings.stream().filter(w -> w.startsWith(prefix)).count();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFailingStoreMeetsEachRulesPolicyAndNeverA500(String name, Supplier<Throwable> fault) {
    storeFault = fault;
    for (int i = 0; i < 5; i++) {
      Response open = target("items").queryParam("pageSize", 5000).request().get();
      assertEquals(200, open.getStatus(), name + ": on-store-failure=open");
      assertEquals("param=1000 bean=1000 uriInfo=[1000] other=null", open.readEntity(String.class));
      Response closed = target("reports/summary").request().get();
      assertEquals(503, closed.getStatus(), name + ": on-store-failure=closed");
      assertEquals("1", closed.getHeaderString("Retry-After"));
      assertTrue(closed.readEntity(String.class).contains("\"status\":503"));
    }
    assertEquals(1, warningsStartingWith("Rate-limit store cannot decide"), warnings.toString());
    clock.advanceSeconds(60);
    target("items").request().get().close();
    target("items").request().get().close();
    assertEquals(
        2,
        warningsStartingWith("Rate-limit store cannot decide"),
        "once more a minute later: " + warnings);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFailingResolverLetsRequestsThroughUnlimitedWithTheirPageSizeHeld(
      String name, Supplier<Throwable> fault) {
    resolverFault = fault;
    for (int i = 0; i < 5; i++) {
      Response r = target("items").queryParam("pageSize", 5000).request().get();
      assertEquals(200, r.getStatus(), name);
      assertEquals("param=1000 bean=1000 uriInfo=[1000] other=null", r.readEntity(String.class));
      assertNull(r.getHeaderString("RateLimit"), "undecided: no rate-limit headers");
    }
    Response invalid = target("items").queryParam("pageSize", "abc").request().get();
    assertEquals(400, invalid.getStatus(), "an invalid page size is still rejected");
    assertEquals("application/problem+json", invalid.getMediaType().toString());
    assertTrue(
        invalid.readEntity(String.class).contains("\"invalid-params\":[{\"name\":\"pageSize\""));
    assertEquals(
        404,
        target("nowhere").request().get().getStatus(),
        "decided in the response filter: fails open too");
    assertEquals(1, warningsStartingWith("Tollgate could not decide"), warnings.toString());
    clock.advanceSeconds(59);
    target("items").request().get().close();
    assertEquals(
        1, warningsStartingWith("Tollgate could not decide"), "not again within the minute");
    clock.advanceSeconds(1);
    target("items").request().get().close();
    assertEquals(2, warningsStartingWith("Tollgate could not decide"), "once more a minute later");
  }

  @Test
  void aSlowStoreIsWaitedForAndCountsAsUsual() {
    storeSleepMillis = 300;
    Response r = target("items").queryParam("pageSize", 5000).request().get();
    assertEquals(200, r.getStatus());
    assertEquals("\"minute\";r=99;t=45", r.getHeaderString("RateLimit"));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }
}
