package dev.tollgate.testing;

/**
 * An embedded servlet container that runs a {@link WebApp} on 127.0.0.1 and a free port. The
 * consumer's test class path brings the container it uses (this module's Jetty and Tomcat
 * dependencies are optional).
 */
public enum EmbeddedContainer {
  /** Jetty 12 (ee10). */
  JETTY {
    @Override
    public RunningContainer tryStart(WebApp app) throws Exception {
      return JettyLauncher.start(app);
    }
  },
  /** Tomcat 10.1 (embed). */
  TOMCAT {
    @Override
    public RunningContainer tryStart(WebApp app) throws Exception {
      return TomcatLauncher.start(app);
    }
  };

  /**
   * Starts {@code app}; a web application that fails to start (e.g. a filter whose {@code init}
   * throws) is reported by {@link RunningContainer#startupFailure()}, not thrown.
   */
  public abstract RunningContainer tryStart(WebApp app) throws Exception;

  /**
   * Starts {@code app}.
   *
   * @throws IllegalStateException if the web application did not start (the container is stopped)
   */
  public RunningContainer start(WebApp app) throws Exception {
    RunningContainer running = tryStart(app);
    String failure = running.startupFailure();
    if (failure != null) {
      running.close();
      throw new IllegalStateException(this + " did not start the web application:\n" + failure);
    }
    return running;
  }

  /** The messages of {@code t}'s exception chain, one a line. */
  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      out.append(c).append('\n');
    }
    return out.toString();
  }
}
