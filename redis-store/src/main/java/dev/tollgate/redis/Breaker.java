package dev.tollgate.redis;

import static dev.tollgate.redis.RedisStore.PROBE_INTERVAL_MILLIS;

import dev.tollgate.core.store.StoreSlowException;
import dev.tollgate.core.store.StoreUnavailableException;
import dev.tollgate.redis.Failure.Kind;
import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The circuit breaker of {@link RedisStore}: whether Redis counts as down, which request probes it
 * while it is, and what a failed decision means (slow or down), judged by when Redis last answered
 * anything.
 */
final class Breaker {

  private static final System.Logger LOG = System.getLogger("dev.tollgate.redis");

  private final List<RedisURI> uris;
  private final long timeoutNanos;

  /** When Redis last answered anything (System.nanoTime), recorded on the I/O thread. */
  private volatile long lastAnswer;

  /** Records that Redis answered; run on the I/O thread by every command's completion. */
  final Runnable markAnswer = () -> lastAnswer = System.nanoTime();

  /** True while Redis is known to be down. */
  private final AtomicBoolean down = new AtomicBoolean();

  private final AtomicLong nextProbe = new AtomicLong();

  Breaker(List<RedisURI> uris, long timeoutNanos) {
    this.uris = uris;
    this.timeoutNanos = timeoutNanos;
    this.lastAnswer = System.nanoTime();
  }

  /** Whether Redis is known to be down now. */
  boolean down() {
    return down.get();
  }

  /**
   * While down: whether this request is the one that probes Redis now (at most one per interval).
   */
  boolean probeDue(long now) {
    long due = nextProbe.get();
    // The probe's own failure sets the next due time; until then nobody else probes.
    return now - due >= 0
        && nextProbe.compareAndSet(due, now + timeoutNanos + PROBE_INTERVAL_MILLIS * 1_000_000);
  }

  /** Redis decided a request: the breaker closes if it was open. */
  void answered() {
    if (down.get() && down.compareAndSet(true, false)) {
      LOG.log(
          System.Logger.Level.INFO, "Redis at {0} answers again: shared limiting resumes.", uris);
    }
  }

  /**
   * What a failure means: a timeout while Redis keeps answering other requests is slowness (the
   * request may still be counted); a timeout after Redis has answered nothing for at least half the
   * timeout, or a lost connection, is an outage. (Half, not all of it: a request sent just before
   * Redis froze saw a few answers at the start of its wait, yet Redis has been silent ever since.)
   */
  StoreUnavailableException classify(Failure e) {
    if (e.kind == Kind.TIMEOUT && System.nanoTime() - lastAnswer < timeoutNanos / 2) {
      return new StoreSlowException(
          "Redis did not answer within "
              + timeoutNanos / 1_000_000
              + " ms (it is answering other requests, so it may still count this one)");
    }
    if (e.kind != Kind.OTHER) {
      open(e);
    }
    return new StoreUnavailableException(e.getMessage(), e.getCause());
  }

  /** Redis is down: decisions apply the failure policy at once until the next probe is due. */
  private void open(Failure e) {
    nextProbe.set(System.nanoTime() + PROBE_INTERVAL_MILLIS * 1_000_000);
    if (!down.get() && down.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Redis at {0} is down ({1}); rules apply their on-store-failure"
              + " policy at once, without waiting for it, and one request probes it every {2} ms.",
          uris,
          e.getMessage(),
          PROBE_INTERVAL_MILLIS);
    }
  }
}
