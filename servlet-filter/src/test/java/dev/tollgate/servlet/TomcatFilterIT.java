package dev.tollgate.servlet;

import static dev.tollgate.testing.EmbeddedContainer.TOMCAT;

import dev.tollgate.testing.RunningContainer;

/** The filter contract in embedded Tomcat 10.1. */
class TomcatFilterIT extends FilterContract {

  @Override
  RunningContainer start(App app) throws Exception {
    return app.startIn(TOMCAT);
  }

  /** Tomcat does not start a context whose filter fails, so no context answers the request. */
  @Override
  int statusWhileConfigurationInvalid() {
    return 404;
  }
}
