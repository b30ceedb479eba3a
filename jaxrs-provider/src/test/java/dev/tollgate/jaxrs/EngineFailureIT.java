package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/** A bug inside Tollgate (here a client-key resolver that throws) never turns into a 500. */
class EngineFailureIT extends GrizzlyJerseyTest {

  @Override
  protected Application application() {
    TollgateConfig config =
        TollgateConfig.builder()
            .clientKey(
                request -> {
                  throw new IllegalStateException("broken resolver");
                })
            .build();
    return new ResourceConfig(TestResources.Items.class)
        .register(new TollgateFeature(Tollgate.create(config)));
  }

  @Test
  void letsRequestsThroughUnlimitedWhenTheEngineFails() {
    for (int i = 0; i < 3; i++) {
      Response r = target("items").queryParam("pageSize", 5000).request().get();
      assertEquals(200, r.getStatus());
      assertEquals(
          "param=1000 bean=1000 uriInfo=[1000] other=null",
          r.readEntity(String.class),
          "page sizes are still applied: they need no client key");
    }
    assertEquals(
        404,
        target("nowhere").request().get().getStatus(),
        "the response filter's decision fails open too");
  }
}
