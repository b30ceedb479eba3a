package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.core.FakeClock;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.testing.EmbeddedContainer;
import dev.tollgate.testing.RunningContainer;
import dev.tollgate.testing.WebApp;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The feature in Jersey's servlet container on embedded Jetty 12 (ee10), over real HTTP. */
class JettyServletIT {

  /** Stands in for Tollgate's servlet filter: marks the request as counted, as that filter does. */
  public static final class MarksCounted implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, jakarta.servlet.ServletException {
      request.setAttribute(TollgateFeature.COUNTED_PROPERTY, Boolean.TRUE);
      chain.doFilter(request, response);
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final FakeClock clock = new FakeClock(Instant.parse("2023-11-14T22:14:15Z"));
  private RunningContainer container;
  private URI base;

  private void start(boolean markCounted) throws Exception {
    TollgateConfig config =
        TollgateConfig.parse(
            Map.of(
                "limits", "3/1m",
                "client.trusted-proxies", "127.0.0.1",
                "rules.items-one.path", "/items/*",
                "rules.items-one.limits", "1/1m",
                "page-size.max", "50",
                "headers.dialects", "ietf, teos"));
    ResourceConfig app =
        new ResourceConfig(TestResources.Items.class)
            .register(new TollgateFeature(Tollgate.builder(config).clock(clock).build()));
    WebApp web = WebApp.at("/ctx");
    web.servlet("jersey", new ServletContainer(app)).mapping("/api/*");
    if (markCounted) {
      web.filter("marks-counted", new MarksCounted()).mapping("/*");
    }
    container = EmbeddedContainer.JETTY.start(web);
    base = container.baseUri().resolve("api/");
  }

  @AfterEach
  void stop() throws Exception {
    if (container != null) {
      container.close();
    }
  }

  private HttpResponse<String> get(String path, String forwardedFor) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void limitsByThePeerAddressReadFromTheServletRequest() throws Exception {
    start(false);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("items", "198.51.100.1").statusCode());
    }
    HttpResponse<String> limited = get("items", "198.51.100.1");
    assertEquals(429, limited.statusCode());
    assertEquals("45", limited.headers().firstValue("Retry-After").orElseThrow());
    assertEquals(
        200,
        get("items", "198.51.100.2").statusCode(),
        "another forwarded client from the trusted proxy");
  }

  @Test
  void matchesRulePathsBelowTheApplicationBaseUri() throws Exception {
    start(false);
    assertEquals(200, get("items/1", null).statusCode());
    HttpResponse<String> limited = get("items/2", null);
    assertEquals(429, limited.statusCode(), "rule path /items/* covers /ctx/api/items/2");
    assertEquals(200, get("items", null).statusCode(), "the rule does not cover /items itself");
  }

  @Test
  void clampsThePageSizeInTheServletContainer() throws Exception {
    start(false);
    HttpResponse<String> r = get("items?pageSize=999&other=x", null);
    assertEquals("param=50 bean=50 uriInfo=[50] other=x", r.body());
    assertEquals("\"minute\";q=3;w=60", r.headers().firstValue("RateLimit-Policy").orElseThrow());
  }

  @Test
  void countsNothingWhenTheServletFilterCountedTheRequestButStillAppliesPageSizes()
      throws Exception {
    start(true);
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get("items?pageSize=999", null);
      assertEquals(200, r.statusCode(), "request " + (i + 1) + " is not counted a second time");
      assertEquals("param=50 bean=50 uriInfo=[50] other=null", r.body());
      assertNull(
          r.headers().firstValue("RateLimit").orElse(null),
          "the servlet filter writes the headers");
    }
  }
}
