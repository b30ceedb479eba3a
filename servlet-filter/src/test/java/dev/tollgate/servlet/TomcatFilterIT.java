package dev.tollgate.servlet;

/** The filter contract in embedded Tomcat 10.1. */
class TomcatFilterIT extends FilterContract {

  @Override
  Running start(App app) throws Exception {
    return TomcatContainer.start(app);
  }

  /** Tomcat does not start a context whose filter fails, so no context answers the request. */
  @Override
  int statusWhileConfigurationInvalid() {
    return 404;
  }
}
