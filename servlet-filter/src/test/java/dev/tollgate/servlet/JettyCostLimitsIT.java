package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.JETTY;

import dev.tollgate.testing.RunningContainer;

/** Limits on what requests cost, in embedded Jetty 12 (ee10). */
class JettyCostLimitsIT extends CostLimitsContract {

  @Override
  RunningContainer start(App app) throws Exception {
    return app.startIn(JETTY);
  }
}
