package dev.tollgate.testing;

import java.net.URI;
import java.util.function.Function;

/** A {@link RunningContainer} as a launcher describes it once the container has started. */
final class StartedContainer implements RunningContainer {

  /** Stops the container. */
  interface Stopper {
    void stop() throws Exception;
  }

  private final int port;
  private final URI baseUri;
  private final String startupFailure;
  private final Function<String, Object> attributes;
  private final Stopper stopper;

  StartedContainer(
      int port,
      String contextPath,
      String startupFailure,
      Function<String, Object> attributes,
      Stopper stopper) {
    this.port = port;
    this.baseUri = URI.create("http://127.0.0.1:" + port + contextPath + "/");
    this.startupFailure = startupFailure;
    this.attributes = attributes;
    this.stopper = stopper;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public URI baseUri() {
    return baseUri;
  }

  @Override
  public String startupFailure() {
    return startupFailure;
  }

  @Override
  public Object contextAttribute(String name) {
    return attributes.apply(name);
  }

  @Override
  public void close() throws Exception {
    stopper.stop();
  }
}
