package dev.tollgate.servlet;

/** The filter contract in embedded Tomcat 10.1. */
class TomcatFilterIT extends FilterContract {

  @Override
  Running start(App app) throws Exception {
    return TomcatContainer.start(app);
  }
}
