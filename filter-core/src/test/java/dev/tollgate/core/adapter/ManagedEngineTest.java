package dev.tollgate.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Limit;
import dev.tollgate.core.Plan;
import dev.tollgate.core.Plans;
import dev.tollgate.core.TestRequest;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's life in an adapter: created and closed there, or the caller's and left open. */
class ManagedEngineTest {

  @Test
  void aCallersEngineIsNeverClosed() {
    try (Tollgate callers = Tollgate.create(TollgateConfig.builder().build())) {
      ManagedEngine managed = ManagedEngine.borrowed(callers);
      assertFalse(managed.owned());
      managed.close();
      assertSame(callers, managed.engine(), "still the caller's to use and close");
    }
  }

  @Test
  void anEngineCreatedHereIsClosedOnce() {
    ManagedEngine managed =
        ManagedEngine.start(TollgateConfig.builder().build(), null, Map.of(), "test");
    assertTrue(managed.owned());
    assertTrue(managed.engine() != null);
    managed.close();
    assertNull(managed.engine());
    managed.close();
  }

  @Test
  void aWatchedFileIsReloadedWithTheOverridesOnTop(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("t.properties"), "limits=8/1m\npage-size.max=30\n");
    Map<String, String> overrides = Map.of("page-size.max", "40", "reload.interval", "1s");
    ConfigLocation location = ConfigLocation.of(file.toString());
    TollgateConfig config = location.load(WebResources.NONE, overrides, "overrides");
    ManagedEngine managed =
        ManagedEngine.start(config, location.watchablePath(WebResources.NONE), overrides, "test");
    try {
      Files.writeString(file, "limits=9/1m\npage-size.max=30\n# changed size\n");
      Tollgate engine = managed.engine();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (engine.config().defaultRule().limits().get(0).quota() != 9
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(9, engine.config().defaultRule().limits().get(0).quota());
      assertEquals(40, engine.config().defaultRule().pageSize().maxSize(), "overrides stay on top");
    } finally {
      managed.close();
    }
  }

  private static Set<Thread> watcherThreads() {
    Set<Thread> found = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("tollgate-config-watcher")) {
        found.add(t);
      }
    }
    return found;
  }

  @Test
  void closingStopsTheWatcherAndClosesTheEngineWithItsPlanThreads(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("t.properties"), "limits=8/1m\n");
    List<Thread> askedOn = new CopyOnWriteArrayList<>();
    Plans plans =
        Plans.builder()
            .plan(Plan.builder("free").limits(Limit.of(5, Duration.ofMinutes(1))).build())
            .defaultPlan("free")
            .byResolver(
                client -> {
                  askedOn.add(Thread.currentThread());
                  return "free";
                })
            .build();
    TollgateConfig config =
        TollgateConfig.builder().plans(plans).reloadInterval(Duration.ofMinutes(1)).build();
    Set<Thread> before = watcherThreads();
    ManagedEngine managed = ManagedEngine.start(config, file, Map.of(), "test");
    assertEquals("free", managed.engine().check(TestRequest.get("/x")).plan());
    Set<Thread> stopping = watcherThreads();
    stopping.removeAll(before);
    assertEquals(1, stopping.size(), "one watcher thread of this engine");
    stopping.add(askedOn.get(0));

    managed.close();

    for (Thread t : stopping) {
      t.join(5_000);
      assertFalse(t.isAlive(), t.getName() + " outlived the adapter");
    }
  }
}
