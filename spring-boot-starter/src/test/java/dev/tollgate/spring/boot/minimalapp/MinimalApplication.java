package dev.tollgate.spring.boot.minimalapp;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** An application with nothing but Spring MVC (MinimalJettyTest runs it on Jetty). */
@SpringBootApplication
public class MinimalApplication {

  @RestController
  static class Api {

    @GetMapping("/api/items")
    String items(HttpServletRequest request) {
      return "pageSize=" + request.getParameter("pageSize");
    }
  }
}
