package dev.tollgate.example.ee;

import dev.tollgate.jaxrs.RateLimit;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/reports?pageSize=}: its own, stricter limit on top of the configuration's: 3
 * calls per minute per client, at most 10 items a page.
 */
@Path("reports")
public class ReportsResource {

  @GET
  @Produces(MediaType.TEXT_PLAIN)
  @RateLimit(name = "reports", limits = "3/1m", pageSizeMax = 10)
  public String list(@QueryParam("pageSize") int pageSize) {
    return "reports pageSize=" + pageSize;
  }
}
