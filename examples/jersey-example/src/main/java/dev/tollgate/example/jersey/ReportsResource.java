package dev.tollgate.example.jersey;

import dev.tollgate.jaxrs.RateLimit;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/reports?pageSize=&page=}: reports are expensive, so this method has its own,
 * stricter limits on top of the configuration's: 10 calls per minute per client and 30 seconds of
 * server time per client per minute (charged once the response is written), at most 100 items a
 * page. The rule is named {@code reports}, so its IETF policies are {@code "reports.minute"} and
 * {@code "reports.time-minute"}.
 */
@Path("reports")
public class ReportsResource {

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @RateLimit(name = "reports", limits = "10/1m, 30s/1m time", pageSizeMax = 100)
  public String list(@QueryParam("pageSize") int pageSize, @QueryParam("page") String page) {
    return Pages.json("report", Pages.pageNumber(page), pageSize);
  }
}
