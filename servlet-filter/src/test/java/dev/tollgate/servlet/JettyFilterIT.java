package dev.tollgate.servlet;

/** The filter contract in embedded Jetty 12 (ee10). */
class JettyFilterIT extends FilterContract {

  @Override
  Running start(App app) throws Exception {
    return JettyContainer.start(app);
  }
}
