package dev.tollgate.spring.boot;

import static dev.tollgate.spring.boot.Http.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.servlet.TollgateFilter;
import dev.tollgate.spring.boot.testapp.TestApplication;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.test.context.ActiveProfiles;

/**
 * Profile {@code principal} (application-principal.properties) switches clients to Spring
 * Security's authenticated user: {@code tollgate.client.key=principal, ip} and 3 per minute.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("principal")
class PrincipalProfileTest {

  @LocalServerPort int port;

  @Autowired FilterRegistrationBean<TollgateFilter> tollgateFilter;

  private HttpResponse<String> as(String user, String password) throws Exception {
    Http http = new Http(port);
    return http.send(http.request("/api/items").header("Authorization", basic(user, password)));
  }

  @Test
  void eachAuthenticatedUserHasItsOwnQuota() throws Exception {
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = as("alice", "alice-pw");
      assertEquals(200, r.statusCode());
      assertEquals("pageSize=20 user=alice", r.body());
      assertEquals(
          "\"minute\";q=3;w=60", Http.header(r, "RateLimit-Policy"), "the profile's limits");
    }
    HttpResponse<String> rejected = as("alice", "alice-pw");
    assertEquals(429, rejected.statusCode());
    assertEquals(200, as("bob", "bob-pw").statusCode(), "bob is another client");
  }

  @Test
  void theFilterRunsRightAfterSpringSecuritysChain() {
    // Spring Security's chain is at -100 (spring.security.filter.order), where it sets
    // getUserPrincipal().
    assertEquals(-99, tollgateFilter.getOrder());
  }
}
