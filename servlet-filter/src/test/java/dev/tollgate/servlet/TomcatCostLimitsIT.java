package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.TOMCAT;

import dev.tollgate.testing.RunningContainer;

/** Limits on what requests cost, in embedded Tomcat. */
class TomcatCostLimitsIT extends CostLimitsContract {

  @Override
  RunningContainer start(App app) throws Exception {
    return app.startIn(TOMCAT);
  }
}
