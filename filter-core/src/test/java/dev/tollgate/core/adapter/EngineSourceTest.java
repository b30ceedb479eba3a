package dev.tollgate.core.adapter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import org.junit.jupiter.api.Test;

/** Where an adapter's engine comes from. */
class EngineSourceTest {

  private static final EngineSource.Settings<RuntimeException> NO_SETTINGS =
      () -> {
        throw new AssertionError("the adapter's own settings were read");
      };

  @Test
  void theCallersEngineIsUsedAndNotOwned() {
    try (Tollgate callers = Tollgate.create(TollgateConfig.builder().build())) {
      EngineSource source = EngineSource.of(callers);
      assertTrue(source.givenInCode());
      ManagedEngine managed = source.start("test", NO_SETTINGS);
      assertSame(callers, managed.engine());
      assertFalse(managed.owned());
    }
  }

  @Test
  void aConfigurationInCodeStartsAnEngineTheAdapterOwns() {
    TollgateConfig config = TollgateConfig.builder().build();
    EngineSource source = EngineSource.of(config);
    assertTrue(source.givenInCode());
    try (ManagedEngine managed = source.start("test", NO_SETTINGS)) {
      assertTrue(managed.owned());
      assertSame(config, managed.engine().config());
    }
  }

  @Test
  void otherwiseTheAdaptersOwnSettingsStartIt() {
    EngineSource source = EngineSource.settings();
    assertFalse(source.givenInCode());
    try (Tollgate callers = Tollgate.create(TollgateConfig.builder().build())) {
      ManagedEngine fromSettings = ManagedEngine.borrowed(callers);
      assertSame(fromSettings, source.start("test", () -> fromSettings));
    }
  }
}
