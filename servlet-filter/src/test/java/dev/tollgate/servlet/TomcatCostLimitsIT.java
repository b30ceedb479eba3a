package dev.tollgate.servlet;

/** Limits on what requests cost, in embedded Tomcat. */
class TomcatCostLimitsIT extends CostLimitsContract {

  @Override
  Running start(App app) throws Exception {
    return TomcatContainer.start(app);
  }
}
