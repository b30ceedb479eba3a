package dev.tollgate.example.ee;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/items?pageSize=}: limited by the configuration alone. */
@Path("items")
public class ItemsResource {

  @GET
  @Produces(MediaType.TEXT_PLAIN)
  public String list(@QueryParam("pageSize") int pageSize) {
    return "items pageSize=" + pageSize;
  }
}
