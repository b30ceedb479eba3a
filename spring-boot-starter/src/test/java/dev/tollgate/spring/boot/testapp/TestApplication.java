package dev.tollgate.spring.boot.testapp;

import static org.springframework.security.config.Customizer.withDefaults;

import dev.tollgate.core.Clock;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application the starter's tests run (in a package of its own, so that its component scan does
 * not pick up the starter's configuration classes): a controller that knows nothing about Tollgate,
 * Spring Security with HTTP Basic (users alice and bob; ops may use Actuator), and a clock the
 * tests move.
 */
@SpringBootApplication
public class TestApplication {

  /** Starts at a fixed instant (mid-minute) and moves only when a test says so. */
  public static final class TestClock implements Clock {
    /** 2026-11-18T10:27:30Z: half a minute into a minute. */
    private final AtomicLong millis = new AtomicLong(1_795_000_050_000L);

    @Override
    public long millis() {
      return millis.get();
    }

    public void advanceSeconds(long seconds) {
      millis.addAndGet(seconds * 1000);
    }
  }

  @Bean
  TestClock tollgateClock() {
    return new TestClock();
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(
            a ->
                a.requestMatchers(EndpointRequest.toAnyEndpoint())
                    .hasRole("OPS")
                    .anyRequest()
                    .permitAll())
        .httpBasic(withDefaults())
        .csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .build();
  }

  @Bean
  InMemoryUserDetailsManager users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice-pw").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob-pw").roles("USER").build(),
        User.withUsername("ops").password("{noop}ops-pw").roles("OPS").build());
  }

  @RestController
  static class Api {

    /** What the application received: the page size after Tollgate, and who the caller is. */
    @GetMapping({"/api/items", "/api/slow"})
    String items(HttpServletRequest request, Principal principal) {
      return "pageSize="
          + request.getParameter("pageSize")
          + " user="
          + (principal == null ? "-" : principal.getName());
    }
  }
}
