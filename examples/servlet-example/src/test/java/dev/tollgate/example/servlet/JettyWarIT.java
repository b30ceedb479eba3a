package dev.tollgate.example.servlet;

import dev.tollgate.example.support.ExampleContract;
import dev.tollgate.example.support.WarContainers;
import java.nio.file.Path;

/** The WAR in embedded Jetty 12 (ee10) with a WebAppContext. */
class JettyWarIT extends ExampleContract {

  @Override
  protected AutoCloseable deploy(Path war) throws Exception {
    return WarContainers.jetty(war, "127.0.0.1", 0, this::bound);
  }
}
