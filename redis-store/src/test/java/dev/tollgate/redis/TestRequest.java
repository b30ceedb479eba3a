package dev.tollgate.redis;

import dev.tollgate.core.RequestView;
import java.util.List;

/** A minimal request from {@code remoteAddress} for engine-level tests. */
record TestRequest(String method, String path, String remoteAddress) implements RequestView {

  static TestRequest get(String path, String remoteAddress) {
    return new TestRequest("GET", path, remoteAddress);
  }

  @Override
  public String header(String name) {
    return null;
  }

  @Override
  public List<String> headers(String name) {
    return List.of();
  }

  @Override
  public String principalName() {
    return null;
  }

  @Override
  public List<String> parameterValues(String name) {
    return List.of();
  }
}
