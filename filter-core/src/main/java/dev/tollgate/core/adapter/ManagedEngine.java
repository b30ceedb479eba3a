package dev.tollgate.core.adapter;

import dev.tollgate.core.ConfigWatcher;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The engine an adapter runs on and the watcher of its configuration file: either created by the
 * adapter from a configuration (then closed with it), or the caller's engine (never closed here).
 */
public final class ManagedEngine implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private volatile @Nullable Tollgate engine;
  private final boolean owned;
  private final @Nullable ConfigWatcher watcher;

  private ManagedEngine(Tollgate engine, boolean owned, @Nullable ConfigWatcher watcher) {
    this.engine = engine;
    this.owned = owned;
    this.watcher = watcher;
  }

  /** The caller's engine: {@link #close()} leaves it open. */
  public static ManagedEngine borrowed(Tollgate engine) {
    return new ManagedEngine(Objects.requireNonNull(engine, "engine"), false, null);
  }

  /**
   * Creates the engine for {@code config}. With {@code reload.interval} set it watches {@code
   * file}, applying {@code overrides} over each new version as at startup; with no file to watch it
   * logs a warning.
   *
   * @param file the configuration file on disk, or {@code null} if there is none
   * @param owner who runs the engine, for the warning, e.g. {@code Tollgate filter 'tollgate'}
   */
  public static ManagedEngine start(
      TollgateConfig config, @Nullable Path file, Map<String, String> overrides, String owner) {
    Tollgate engine = Tollgate.create(config);
    ConfigWatcher watcher = null;
    if (!config.reloadInterval().isZero()) {
      if (file == null) {
        LOG.log(
            System.Logger.Level.WARNING,
            owner
                + ": reload.interval is set but the configuration is not a file on disk,"
                + " so changes cannot be watched");
      } else {
        watcher = ConfigWatcher.watch(engine, file, overrides, config.reloadInterval());
      }
    }
    return new ManagedEngine(engine, true, watcher);
  }

  /** The engine; {@code null} once an engine created here is closed. */
  public @Nullable Tollgate engine() {
    return engine;
  }

  /** True if the engine was created here and {@link #close()} closes it. */
  public boolean owned() {
    return owned;
  }

  /** Stops the watcher and closes an engine created here; a second call does nothing. */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
    }
    Tollgate e = engine;
    if (e != null && owned) {
      engine = null;
      e.close();
    }
  }
}
