package dev.tollgate.servlet;

/** A started container. */
interface Running {

  /** The bound port on 127.0.0.1. */
  int port();

  /**
   * Why the web application did not start (the messages of the exception chain and of what the
   * container logged at SEVERE/WARNING), or {@code null} if it did.
   */
  String startupFailure();

  /**
   * An attribute of the web application's servlet context (e.g. the engine the filter publishes).
   */
  default Object contextAttribute(String name) {
    throw new UnsupportedOperationException("not available in this container");
  }

  /** Stops the container. */
  void close() throws Exception;
}
