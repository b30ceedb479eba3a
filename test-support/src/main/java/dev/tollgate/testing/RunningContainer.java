package dev.tollgate.testing;

import java.net.URI;

/** A servlet container started by {@link EmbeddedContainer}; closing it stops the container. */
public interface RunningContainer extends AutoCloseable {

  /** The bound port on 127.0.0.1. */
  int port();

  /**
   * The web application's base URI, ending in a slash: {@code http://127.0.0.1:<port>/} or {@code
   * http://127.0.0.1:<port>/<context path>/}.
   */
  URI baseUri();

  /**
   * Why the web application did not start (the messages of the exception chain and of what the
   * container logged at SEVERE/WARNING), or {@code null} if it did.
   */
  String startupFailure();

  /**
   * An attribute of the web application's servlet context (e.g. the engine the filter publishes).
   */
  Object contextAttribute(String name);

  /** Stops the container. */
  @Override
  void close() throws Exception;
}
