package dev.tollgate.redis;

import org.jspecify.annotations.Nullable;

/** A failure inside the store, turned into the public exception by {@link Breaker#classify}. */
final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final Kind kind;

  Failure(Kind kind, String message, @Nullable Throwable cause) {
    super(cause == null ? message : message + ": " + cause, cause, false, false);
    this.kind = kind;
  }

  /**
   * Why a decision failed, which decides whether Redis counts as down: a timeout (down only if
   * Redis has been silent for half the timeout), a refused, lost or missing connection (down), or
   * anything else, e.g. an error reply (Redis is there: the policy applies to this request only).
   */
  enum Kind {
    TIMEOUT,
    CONNECTION,
    OTHER
  }
}
