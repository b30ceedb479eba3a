package dev.tollgate.jaxrs;

import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.glassfish.jersey.test.grizzly.GrizzlyTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;

/**
 * The Jersey test framework on Grizzly as every Grizzly test of the provider runs it: a free port
 * (so that test classes never collide), and clients that call 127.0.0.1 (the address the tests'
 * trusted-proxy and IP-key settings expect, whatever "localhost" resolves to).
 */
abstract class GrizzlyJerseyTest extends JerseyTest {

  /** The application under test, with its Tollgate. */
  protected abstract Application application();

  @Override
  protected final Application configure() {
    forceSet(TestProperties.CONTAINER_PORT, "0");
    return application();
  }

  @Override
  protected TestContainerFactory getTestContainerFactory() {
    return new GrizzlyTestContainerFactory();
  }

  @Override
  protected URI getBaseUri() {
    return UriBuilder.fromUri("http://127.0.0.1/").port(getPort()).build();
  }

  /**
   * A Grizzly server for {@code app} on 127.0.0.1 and a free port, for the tests that run Jersey on
   * Grizzly outside the test framework; not started, so that callers can configure it first.
   */
  static HttpServer grizzlyServer(ResourceConfig app) {
    return GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), app, false);
  }

  /** The port a started {@link #grizzlyServer} listens on. */
  static int portOf(HttpServer server) {
    return server.getListeners().iterator().next().getPort();
  }
}
