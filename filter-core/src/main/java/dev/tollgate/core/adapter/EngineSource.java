package dev.tollgate.core.adapter;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where an adapter's engine comes from, as its constructors say: the caller's engine, a
 * configuration given in code, or the adapter's own settings ({@code web.xml} init-params, an
 * application property), read when it starts.
 */
public final class EngineSource {

  private final @Nullable Tollgate engine;
  private final @Nullable TollgateConfig config;
  private final @Nullable Path file;

  private EngineSource(
      @Nullable Tollgate engine, @Nullable TollgateConfig config, @Nullable Path file) {
    this.engine = engine;
    this.config = config;
    this.file = file;
  }

  /** Starts the engine from the adapter's own settings. */
  public interface Settings<E extends Exception> {
    ManagedEngine start() throws E;
  }

  /** The adapter's own settings, read when it starts. */
  public static EngineSource settings() {
    return new EngineSource(null, null, null);
  }

  /** A configuration given in code; the adapter creates the engine and closes it. */
  public static EngineSource of(TollgateConfig config) {
    return of(config, null);
  }

  /**
   * A configuration read from {@code file}, which is watched if the configuration's {@code
   * reload.interval} asks for it.
   */
  public static EngineSource of(TollgateConfig config, @Nullable Path file) {
    return new EngineSource(null, Objects.requireNonNull(config, "config"), file);
  }

  /** The caller's engine, which the adapter uses and never closes. */
  public static EngineSource of(Tollgate engine) {
    return new EngineSource(Objects.requireNonNull(engine, "engine"), null, null);
  }

  /** True unless the engine comes from the adapter's own settings. */
  public boolean givenInCode() {
    return engine != null || config != null;
  }

  /**
   * The engine, started now unless it is the caller's.
   *
   * @param owner who runs the engine, for messages, e.g. {@code Tollgate filter 'tollgate'}
   * @param settings how the adapter starts an engine from its own settings
   */
  public <E extends Exception> ManagedEngine start(String owner, Settings<E> settings) throws E {
    if (engine != null) {
      return ManagedEngine.borrowed(engine);
    }
    if (config != null) {
      return ManagedEngine.start(config, file, Map.of(), owner);
    }
    return settings.start();
  }
}
