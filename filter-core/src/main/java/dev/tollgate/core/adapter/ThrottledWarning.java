package dev.tollgate.core.adapter;

import dev.tollgate.core.Clock;
import dev.tollgate.core.internal.Throttle;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A warning that would otherwise be logged on every request, logged at most once a minute of the
 * given clock (the engine's, so that tests move it instead of sleeping). Thread-safe.
 */
public final class ThrottledWarning {

  private final System.Logger log;
  private final Throttle throttle;

  public ThrottledWarning(System.Logger log, Clock clock) {
    this.log = log;
    this.throttle = Throttle.perMinute(clock);
  }

  /**
   * Logs the message (built only if it is logged) unless a warning was logged in the last minute.
   *
   * @return true if it was logged
   */
  public boolean warn(Supplier<String> message, @Nullable Throwable cause) {
    if (!throttle.tryAcquire()) {
      return false;
    }
    if (cause == null) {
      log.log(System.Logger.Level.WARNING, message.get());
    } else {
      log.log(System.Logger.Level.WARNING, message.get(), cause);
    }
    return true;
  }
}
