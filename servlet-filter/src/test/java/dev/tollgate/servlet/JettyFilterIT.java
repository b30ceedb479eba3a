package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.JETTY;

import dev.tollgate.testing.RunningContainer;

/** The filter contract in embedded Jetty 12 (ee10). */
class JettyFilterIT extends FilterContract {

  @Override
  RunningContainer start(App app) throws Exception {
    return app.startIn(JETTY);
  }
}
