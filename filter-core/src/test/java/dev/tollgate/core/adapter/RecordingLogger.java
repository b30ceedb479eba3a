package dev.tollgate.core.adapter;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps what is logged at WARNING and above, for assertions. */
final class RecordingLogger implements System.Logger {

  final List<String> warnings = new CopyOnWriteArrayList<>();

  @Override
  public String getName() {
    return "test";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    if (level.getSeverity() >= Level.WARNING.getSeverity()) {
      warnings.add(msg + (thrown == null ? "" : " | " + thrown.getMessage()));
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    log(level, bundle, format, (Throwable) null);
  }
}
