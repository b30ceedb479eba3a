package dev.tollgate.servlet;

import dev.tollgate.testing.RunningContainer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;

/** The attacks of {@link HardeningIT} in embedded Tomcat 10.1 (the floods run in Jetty only). */
class TomcatHardeningIT extends HardeningIT {

  @Override
  RunningContainer startContainer(Filter filter, HttpServlet app) throws Exception {
    return startTomcat(filter, app);
  }

  @Override
  String container() {
    return "Tomcat 10.1";
  }

  @Override
  boolean runsFloods() {
    return false;
  }
}
