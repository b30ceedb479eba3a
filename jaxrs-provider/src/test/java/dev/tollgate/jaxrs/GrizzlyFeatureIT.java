package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/** The feature on Grizzly over real HTTP, with Jersey's test framework. */
class GrizzlyFeatureIT extends GrizzlyJerseyTest {

  private FakeClock clock;

  @Override
  protected Application application() {
    clock = new FakeClock(Instant.parse("2023-11-14T22:14:15Z"));
    TollgateConfig config =
        TollgateConfig.parse(
            Map.of(
                "limits", "5/1m",
                "client.key", "header:X-Api-Key, ip",
                "client.trusted-proxies", "127.0.0.1, ::1",
                "page-size.default", "20",
                "page-size.max", "50",
                "headers.dialects", "ietf, teos"));
    Tollgate tollgate = Tollgate.builder(config).clock(clock).build();
    return new ResourceConfig(
            TestResources.Items.class,
            TestResources.Reports.class,
            TestResources.Failing.class,
            TestResources.TeapotMapper.class)
        .register(new TollgateFeature(tollgate));
  }

  private Response get(String path, String key) {
    return target(path).request().header("X-Api-Key", key).get();
  }

  @Test
  void answers429ExactlyAfterTheQuotaWithProblemBodyAndRetryAfter() {
    for (int i = 1; i <= 5; i++) {
      Response ok = get("items", "k1");
      assertEquals(200, ok.getStatus(), "request " + i);
      ok.close();
    }
    Response limited = get("items", "k1");
    assertEquals(429, limited.getStatus());
    assertEquals("45", limited.getHeaderString("Retry-After"));
    assertEquals("application/problem+json", limited.getMediaType().toString());
    String body = limited.readEntity(String.class);
    assertTrue(body.contains("\"status\":429"), body);
    assertTrue(body.contains("quota-exceeded"), body);
    assertTrue(body.contains("\"retry-after\":45"), body);

    clock.advanceSeconds(45);
    assertEquals(200, get("items", "k1").getStatus(), "a new window admits again");
  }

  @Test
  void anotherClientKeepsItsOwnQuota() {
    for (int i = 0; i < 6; i++) {
      get("items", "k1").close();
    }
    assertEquals(429, get("items", "k1").getStatus());
    assertEquals(200, get("items", "k2").getStatus());
  }

  @Test
  void writesHeadersOfBothDialectsOn200And429() {
    Response ok = get("items", "k1");
    assertEquals(200, ok.getStatus());
    assertEquals("\"minute\";q=5;w=60", ok.getHeaderString("RateLimit-Policy"));
    assertEquals("\"minute\";r=4;t=45", ok.getHeaderString("RateLimit"));
    assertEquals("1m", ok.getHeaderString("X-Rate-Limit-Limit"));
    assertEquals("4", ok.getHeaderString("X-Rate-Limit-Remaining"));
    assertNotNull(ok.getHeaderString("X-Rate-Limit-Reset"));
    assertNull(ok.getHeaderString("Retry-After"));
    for (int i = 0; i < 4; i++) {
      get("items", "k1").close();
    }
    Response limited = get("items", "k1");
    assertEquals(429, limited.getStatus());
    assertEquals("\"minute\";r=0;t=45", limited.getHeaderString("RateLimit"));
    assertEquals("0", limited.getHeaderString("X-Rate-Limit-Remaining"));
    assertEquals(1, limited.getHeaders().get("RateLimit").size(), "headers are written once");
  }

  @Test
  void injectsTheClampedPageSizeThroughQueryParamBeanParamAndUriInfo() {
    String body =
        target("items")
            .queryParam("pageSize", 5000)
            .queryParam("other", "a b")
            .request()
            .header("X-Api-Key", "k1")
            .get(String.class);
    assertEquals("param=50 bean=50 uriInfo=[50] other=a b", body);
  }

  @Test
  void appliesTheDefaultPageSizeWhenNoneIsGiven() {
    assertEquals(
        "param=20 bean=20 uriInfo=[20] other=null", get("items", "k1").readEntity(String.class));
  }

  @Test
  void collapsesRepeatedPageSizesToOneEffectiveValue() {
    String body =
        target("items")
            .queryParam("pageSize", 7)
            .queryParam("pageSize", 9000)
            .request()
            .header("X-Api-Key", "k1")
            .get(String.class);
    assertEquals("param=7 bean=7 uriInfo=[7] other=null", body);
  }

  @Test
  void answers400ProblemForAnInvalidPageSizeAfterCountingIt() {
    Response bad =
        target("items").queryParam("pageSize", "abc").request().header("X-Api-Key", "k1").get();
    assertEquals(400, bad.getStatus());
    assertEquals("application/problem+json", bad.getMediaType().toString());
    String body = bad.readEntity(String.class);
    assertTrue(body.contains("\"invalid-params\":[{\"name\":\"pageSize\""), body);
    assertEquals(
        "4", bad.getHeaderString("X-Rate-Limit-Remaining"), "the invalid request was counted");
  }

  @Test
  void annotationLimitsOneMethodAndLeavesItsSiblingAlone() {
    for (int i = 1; i <= 3; i++) {
      Response r = get("reports", "k1");
      assertEquals(200, r.getStatus(), "report " + i);
      assertTrue(
          r.getHeaderString("RateLimit-Policy").contains("\"reports.minute\";q=3;w=60"),
          r.getHeaderString("RateLimit-Policy"));
      r.close();
    }
    Response limited = get("reports", "k1");
    assertEquals(429, limited.getStatus());
    assertTrue(
        limited.readEntity(String.class).contains("\"violated-policies\":[\"reports.minute\"]"));
    assertEquals(
        200,
        get("reports/summary", "k1").getStatus(),
        "the sibling method is not limited by the annotation");
  }

  @Test
  void annotationPageSizeMaximumAppliesToItsMethodOnly() {
    assertEquals(
        "reports pageSize=5",
        target("reports")
            .queryParam("pageSize", 80)
            .request()
            .header("X-Api-Key", "k1")
            .get(String.class));
    assertEquals(
        "summary pageSize=50",
        target("reports/summary")
            .queryParam("pageSize", 80)
            .request()
            .header("X-Api-Key", "k1")
            .get(String.class));
    assertEquals(
        "reports pageSize=5",
        target("reports").request().header("X-Api-Key", "k1").get(String.class),
        "the default is lowered to the maximum");
  }

  /**
   * The maximum itself reaches the method and one above it is clamped: configured and annotated.
   */
  @Test
  void pageSizesAtTheMaximumReachTheMethodAndOneAboveIsClamped() {
    int[][] items = {{49, 49}, {50, 50}, {51, 50}};
    for (int[] c : items) {
      assertEquals(
          "param=" + c[1] + " bean=" + c[1] + " uriInfo=[" + c[1] + "] other=null",
          target("items")
              .queryParam("pageSize", c[0])
              .request()
              .header("X-Api-Key", "items")
              .get(String.class),
          "default rule, pageSize=" + c[0]);
    }
    int[][] reports = {{4, 4}, {5, 5}, {6, 5}};
    for (int[] c : reports) {
      assertEquals(
          "reports pageSize=" + c[1],
          target("reports")
              .queryParam("pageSize", c[0])
              .request()
              .header("X-Api-Key", "reports")
              .get(String.class),
          "annotation, pageSize=" + c[0]);
    }
  }

  @Test
  void annotatedRequestsCountTowardsTheGlobalLimitToo() {
    for (int i = 0; i < 3; i++) {
      get("reports", "k1").close();
    }
    Response r = get("items", "k1");
    assertEquals(200, r.getStatus());
    assertEquals("1", r.getHeaderString("X-Rate-Limit-Remaining"));
  }

  @Test
  void writesHeadersOnResponsesOfAnExceptionMapperAndAWebApplicationException() {
    Response mapped = get("fail/mapped", "k1");
    assertEquals(418, mapped.getStatus());
    assertEquals("\"minute\";r=4;t=45", mapped.getHeaderString("RateLimit"));
    Response wae = get("fail/wae", "k1");
    assertEquals(409, wae.getStatus());
    assertEquals("\"minute\";r=3;t=45", wae.getHeaderString("RateLimit"));
  }

  @Test
  void countsRequestsThatMatchNoResourceAndAnswers429ForThem() {
    for (int i = 1; i <= 5; i++) {
      Response r = get("nowhere", "k1");
      assertEquals(404, r.getStatus());
      assertEquals(String.valueOf(5 - i), r.getHeaderString("X-Rate-Limit-Remaining"));
      r.close();
    }
    Response limited = get("nowhere", "k1");
    assertEquals(429, limited.getStatus());
    assertEquals("45", limited.getHeaderString("Retry-After"));
    assertTrue(limited.readEntity(String.class).contains("\"status\":429"));
  }

  @Test
  void readsThePeerAddressOnGrizzlySoForwardedClientsFromATrustedProxyAreKeptApart() {
    for (int i = 0; i < 5; i++) {
      target("items").request().header("X-Forwarded-For", "203.0.113.7").get().close();
    }
    assertEquals(
        429, target("items").request().header("X-Forwarded-For", "203.0.113.7").get().getStatus());
    assertEquals(
        200,
        target("items").request().header("X-Forwarded-For", "203.0.113.8").get().getStatus(),
        "another forwarded address is another client, which needs the peer address to be known as trusted");
  }
}
