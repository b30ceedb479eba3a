package dev.tollgate.jaxrs;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Resources the tests deploy. */
final class TestResources {

  private TestResources() {}

  /** Echoes what the method received for the page size, through three routes. */
  @Path("items")
  @Produces(MediaType.TEXT_PLAIN)
  public static class Items {
    @GET
    public String list(
        @QueryParam("pageSize") int pageSize, @BeanParam Paging paging, @Context UriInfo uriInfo) {
      return "param="
          + pageSize
          + " bean="
          + paging.pageSize
          + " uriInfo="
          + uriInfo.getQueryParameters().get("pageSize")
          + " other="
          + uriInfo.getQueryParameters().getFirst("other");
    }

    @GET
    @Path("{id}")
    public String one(@QueryParam("pageSize") int pageSize) {
      return "item pageSize=" + pageSize;
    }
  }

  /** A bean parameter holding the page size. */
  public static class Paging {
    @QueryParam("pageSize")
    int pageSize;
  }

  /** One method with its own limit and page size, one without. */
  @Path("reports")
  @Produces(MediaType.TEXT_PLAIN)
  public static class Reports {
    @GET
    @RateLimit(limits = "3/1m", pageSizeMax = 5, name = "reports")
    public String list(@QueryParam("pageSize") int pageSize) {
      return "reports pageSize=" + pageSize;
    }

    @GET
    @Path("summary")
    public String summary(@QueryParam("pageSize") int pageSize) {
      return "summary pageSize=" + pageSize;
    }
  }

  /** Failures answered by an exception mapper and by a WebApplicationException. */
  @Path("fail")
  public static class Failing {
    @GET
    @Path("mapped")
    public String mapped() {
      throw new TeapotException();
    }

    @GET
    @Path("wae")
    public String wae() {
      throw new WebApplicationException(Response.status(409).entity("conflict").build());
    }
  }

  /** Thrown by {@link Failing#mapped()}. */
  public static final class TeapotException extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** Maps {@link TeapotException} to 418. */
  public static final class TeapotMapper implements ExceptionMapper<TeapotException> {
    @Override
    public Response toResponse(TeapotException e) {
      return Response.status(418).entity("teapot").type(MediaType.TEXT_PLAIN).build();
    }
  }

  /** Says who the caller is. */
  @Path("me")
  public static class Me {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String me(@Context SecurityContext security) {
      return security.getUserPrincipal() == null ? "nobody" : security.getUserPrincipal().getName();
    }
  }
}
