package dev.tollgate.example.jersey;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/billing?key=<API key>&plan=<starter|business>}: the demo's billing moves a
 * tenant to another plan; Tollgate sees it at its next background refresh ({@code
 * plans.cache.refresh}).
 */
@Path("billing")
public class BillingResource {

  @POST
  @Produces(MediaType.TEXT_PLAIN)
  public Response move(@QueryParam("key") String key, @QueryParam("plan") String plan) {
    if (key == null || key.isBlank() || plan == null || !DemoBilling.PLANS.contains(plan)) {
      return Response.status(400).entity("expected key=<API key>&plan=starter or business").build();
    }
    DemoBilling.move(key, plan);
    return Response.ok("moved to " + plan).build();
  }
}
