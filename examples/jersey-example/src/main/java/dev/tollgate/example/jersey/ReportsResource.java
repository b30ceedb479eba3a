package dev.tollgate.example.jersey;

import dev.tollgate.jaxrs.RateLimit;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/reports?pageSize=&page=}: reports are expensive, so this method has its own,
 * stricter limit on top of the configuration's: 10 calls per minute per client, at most 100 items
 * a page. The rule is named {@code reports}, so its IETF policy is {@code "reports.minute"}.
 */
@Path("reports")
public class ReportsResource {

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @RateLimit(name = "reports", limits = "10/1m", pageSizeMax = 100)
  public String list(@QueryParam("pageSize") int pageSize, @QueryParam("page") String page) {
    return Pages.json("report", Pages.pageNumber(page), pageSize);
  }
}
