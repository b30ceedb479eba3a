package dev.tollgate.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Re-reads a configuration file when it changes and hands it to {@link Tollgate#reconfigure}. A
 * file that cannot be read or holds an invalid configuration is logged (with the message naming the
 * key and value) and the configuration in force stays. Checks run on one daemon thread.
 */
public final class ConfigWatcher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("dev.tollgate");

  private final Tollgate tollgate;
  private final Path file;
  private final Map<String, String> overrides;
  private final @Nullable ScheduledExecutorService timer;
  private @Nullable FileTime lastModified;
  private long lastSize;

  private ConfigWatcher(
      Tollgate tollgate, Path file, Map<String, String> overrides, Duration interval) {
    this.tollgate = tollgate;
    this.file = file;
    this.overrides = Map.copyOf(overrides);
    remember();
    if (interval.isZero()) {
      this.timer = null;
    } else {
      this.timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "tollgate-config-watcher");
                t.setDaemon(true);
                return t;
              });
      long millis = Math.max(100, interval.toMillis());
      timer.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Watches {@code file}, checking every {@code interval} (zero: only when {@link
   * #reloadIfChanged()} is called).
   *
   * @param overrides settings applied over the file's, as at startup
   */
  public static ConfigWatcher watch(
      Tollgate tollgate, Path file, Map<String, String> overrides, Duration interval) {
    Objects.requireNonNull(tollgate, "tollgate");
    Objects.requireNonNull(file, "file");
    return new ConfigWatcher(tollgate, file, overrides, interval);
  }

  /**
   * Reloads if the file's modification time or size changed since the last look.
   *
   * @return true if a new configuration is now in force
   */
  public synchronized boolean reloadIfChanged() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(lastModified) && size == lastSize) {
        return false;
      }
      lastModified = modified;
      lastSize = size;
      return reload();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Cannot check " + file + " for changes: " + e);
      return false;
    }
  }

  /**
   * Reads and applies the file now.
   *
   * @return true if it was applied; false if it was invalid (the old configuration stays)
   */
  public synchronized boolean reload() {
    try (InputStream in = Files.newInputStream(file)) {
      TollgateConfig next = TollgateConfig.load(in, file.toString(), overrides);
      tollgate.reconfigure(next);
      return true;
    } catch (ConfigException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "Rejected the new configuration in "
              + file
              + ": "
              + e.getMessage()
              + ". The previous configuration stays in force.");
      return false;
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "Cannot read " + file + ": " + e + ". The previous configuration stays in force.");
      return false;
    }
  }

  private void remember() {
    try {
      lastModified = Files.getLastModifiedTime(file);
      lastSize = Files.size(file);
    } catch (IOException e) {
      lastModified = null;
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
