package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.WallClockWindows;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Set;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Plans through Jersey over real HTTP: an API key on the pro plan by the static mapping, a
 * principal on the partner plan by its role in the {@link SecurityContext}, everyone else on free.
 */
class PlansIT extends GrizzlyJerseyTest {

  /** Authenticates {@code Authorization: User <name> <role,role>}. */
  @Priority(Priorities.AUTHENTICATION)
  public static final class UserAndRoles implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      String auth = request.getHeaderString("Authorization");
      if (auth == null || !auth.startsWith("User ")) {
        return;
      }
      String[] parts = auth.substring(5).split(" ");
      Principal user = () -> parts[0];
      Set<String> roles = Set.of(parts.length > 1 ? parts[1].split(",") : new String[0]);
      request.setSecurityContext(
          new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
              return user;
            }

            @Override
            public boolean isUserInRole(String role) {
              return roles.contains(role);
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
    return new ResourceConfig(TestResources.Me.class, UserAndRoles.class, TollgateFeature.class)
        .property(TollgateFeature.CONFIG_PROPERTY, "classpath:plans-tollgate.properties");
  }

  private Response withKey(String key) {
    return target("me").request().header("X-Api-Key", key).get();
  }

  @Test
  void twoKeysOnTwoPlansGetTheirOwnLimitsAndHeaders() throws InterruptedException {
    // Jersey's test container builds Tollgate on the system clock: per-minute quotas counted to
    // their 429 must not straddle a minute boundary.
    WallClockWindows.awaitFreshMinute();
    Response pro = withKey("pro-key");
    Response free = withKey("free-key");

    assertEquals("\"pro-minute\";q=5;w=60", pro.getHeaderString("RateLimit-Policy"));
    assertTrue(
        pro.getHeaderString("RateLimit").startsWith("\"pro-minute\";r=4;"),
        pro.getHeaderString("RateLimit"));
    assertEquals("\"free-minute\";q=2;w=60", free.getHeaderString("RateLimit-Policy"));
    assertEquals(200, withKey("free-key").getStatus());
    Response limited = withKey("free-key");
    assertEquals(429, limited.getStatus());
    assertTrue(
        limited
            .readEntity(String.class)
            .contains("\"violated-policies\":[\"free-minute\"],\"plan\":\"free\""));
    for (int i = 0; i < 4; i++) {
      assertEquals(200, withKey("pro-key").getStatus(), "pro call " + (i + 2));
    }
    assertEquals(429, withKey("pro-key").getStatus());
    String status = target("rate_limit").request().header("X-Api-Key", "pro-key").get(String.class);
    assertTrue(status.startsWith("{\"plan\":\"pro\","), status);
  }

  @Test
  void aPrincipalsRoleInTheSecurityContextPutsItOnAPlan() {
    Response partner =
        target("me").request().header("Authorization", "User carol partner,staff").get();
    Response other = target("me").request().header("Authorization", "User dave staff").get();

    assertEquals("carol", partner.readEntity(String.class));
    assertEquals("\"partner-minute\";q=8;w=60", partner.getHeaderString("RateLimit-Policy"));
    assertEquals("\"free-minute\";q=2;w=60", other.getHeaderString("RateLimit-Policy"));
  }
}
