package dev.tollgate.example.jersey;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/assets?pageSize=&page=}: the configuration's limits only. The page size it
 * receives is already the effective one (default 20, at most 1000).
 */
@Path("assets")
public class AssetsResource {

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public String list(@QueryParam("pageSize") int pageSize, @QueryParam("page") String page) {
    return Pages.json("asset", Pages.pageNumber(page), pageSize);
  }
}
