package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.store.AcquireRequest;
import dev.tollgate.core.store.AcquireResult;
import dev.tollgate.core.store.InMemoryStore;
import dev.tollgate.core.store.RateLimitStore;
import dev.tollgate.core.store.SharedStore;
import dev.tollgate.core.store.StoreUnavailableException;
import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local fallback's switches on its own: one report and one log line per outage and per
 * recovery, whatever the number of failing requests. Through the engine in {@link
 * StoreFailurePolicyTest}.
 */
class LocalFallbackTest {

  private static final RuntimeException DOWN = new StoreUnavailableException("connection refused");

  private final FakeClock clock = FakeClock.at1800();
  private final List<Boolean> switches = new CopyOnWriteArrayList<>();
  private final TollgateMetrics metrics =
      new TollgateMetrics() {
        @Override
        public void localFallback(boolean active) {
          switches.add(active);
        }
      };

  private final Logger log = Logger.getLogger("dev.tollgate");
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          Object[] args = r.getParameters() == null ? new Object[0] : r.getParameters();
          messages.add(MessageFormat.format(r.getMessage(), args));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    log.removeHandler(capture);
  }

  @Test
  void eachOutageAndEachRecoveryIsReportedOnce() {
    LocalFallback fallback = new LocalFallback(new Shared(3), 100, clock, metrics);
    assertFalse(fallback.active());
    fallback.storeAnswered();
    assertEquals(List.of(), switches, "nothing to recover from");

    InMemoryStore local = fallback.switchTo(DOWN);
    assertSame(local, fallback.switchTo(DOWN), "one local store for the outage");
    assertTrue(fallback.active());
    fallback.storeAnswered();
    fallback.storeAnswered();
    assertFalse(fallback.active());
    assertSame(local, fallback.switchTo(DOWN), "kept across outages, with its counts");
    assertEquals(List.of(true, false, true), switches);

    List<String> logged = messages.stream().filter(m -> m.startsWith("Rate-limit store")).toList();
    assertEquals(3, logged.size(), String.valueOf(messages));
    assertTrue(
        logged
            .get(0)
            .contains(
                "(dev.tollgate.core.store.StoreUnavailableException: connection refused);"
                    + " rules with on-store-failure=local now count on this server only with"
                    + " quotas divided by 3, until the store answers again."),
        logged.get(0));
    assertTrue(logged.get(1).startsWith("Rate-limit store answers again"), logged.get(1));
  }

  @Test
  void aStoreForOneServerKeepsTheQuotasWhole() {
    new LocalFallback(new Shared(1), 100, clock, metrics).switchTo(DOWN);
    new LocalFallback(InMemoryStore.create(10, clock), 100, clock, metrics).switchTo(DOWN);
    List<String> logged =
        messages.stream().filter(m -> m.startsWith("Rate-limit store unavailable")).toList();
    assertEquals(2, logged.size());
    for (String m : logged) {
      assertTrue(m.contains("count on this server only, until the store answers again."), m);
    }
  }

  @Test
  void theStricterPolicyIsClosedOverLocalOverOpen() {
    for (Rule.StoreFailure p : Rule.StoreFailure.values()) {
      assertEquals(p, LocalFallback.stricter(p, p));
    }
    assertEquals(
        Rule.StoreFailure.CLOSED,
        LocalFallback.stricter(Rule.StoreFailure.CLOSED, Rule.StoreFailure.OPEN));
  }

  /** A shared store of {@code servers} servers; never asked to decide here. */
  private record Shared(int servers) implements RateLimitStore, SharedStore {
    @Override
    public AcquireResult acquire(AcquireRequest request) {
      throw new AssertionError("not called");
    }

    @Override
    public int expectedServers() {
      return servers;
    }
  }
}
