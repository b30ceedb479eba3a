package dev.tollgate.jaxrs;

import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
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
}
