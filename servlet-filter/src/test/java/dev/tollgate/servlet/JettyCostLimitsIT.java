package dev.tollgate.servlet;

/** Limits on what requests cost, in embedded Jetty 12 (ee10). */
class JettyCostLimitsIT extends CostLimitsContract {

  @Override
  Running start(App app) throws Exception {
    return JettyContainer.start(app);
  }
}
