package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Clients keyed by their principal behind an authentication filter (a post-matching filter at
 * {@link Priorities#AUTHENTICATION}); the feature is registered by class, as scanning would find
 * it, and reads its configuration from the {@code tollgate.config} property.
 */
class PrincipalKeyIT extends GrizzlyJerseyTest {

  /** Authenticates {@code Authorization: User <name>}; anything else stays anonymous. */
  @Priority(Priorities.AUTHENTICATION)
  public static final class UserHeaderAuthentication implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      String auth = request.getHeaderString("Authorization");
      if (auth == null || !auth.startsWith("User ")) {
        return;
      }
      Principal user = () -> auth.substring(5);
      request.setSecurityContext(
          new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
              return user;
            }

            @Override
            public boolean isUserInRole(String role) {
              return false;
            }

            @Override
            public boolean isSecure() {
              return false;
            }

            @Override
            public String getAuthenticationScheme() {
              return "User";
            }
          });
    }
  }

  @Override
  protected Application application() {
    return new ResourceConfig(
            TestResources.Me.class, UserHeaderAuthentication.class, TollgateFeature.class)
        .property(TollgateFeature.CONFIG_PROPERTY, "classpath:principal-tollgate.properties");
  }

  private Response as(String user) {
    return target("me").request().header("Authorization", "User " + user).get();
  }

  @Test
  void limitsEachPrincipalSeparatelyWhenTheAuthenticationFilterRunsFirst() {
    assertEquals("alice", as("alice").readEntity(String.class));
    assertEquals(200, as("alice").getStatus());
    Response limited = as("alice");
    assertEquals(429, limited.getStatus());
    assertTrue(limited.readEntity(String.class).contains("\"status\":429"));
    assertEquals(
        "bob",
        as("bob").readEntity(String.class),
        "another principal on the same address has its own quota");
  }

  @Test
  void anonymousRequestsFallBackToTheAddressAndDoNotSpendAPrincipalsQuota() {
    assertEquals(200, target("me").request().get().getStatus());
    assertEquals(200, target("me").request().get().getStatus());
    assertEquals(429, target("me").request().get().getStatus());
    assertEquals(200, as("alice").getStatus());
  }
}
