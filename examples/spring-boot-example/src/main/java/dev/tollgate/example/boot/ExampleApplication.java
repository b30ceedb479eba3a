package dev.tollgate.example.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * The examples' API as a Spring Boot application. It knows nothing about Tollgate: the starter on
 * the class path registers the filter, configured by the {@code tollgate.*} lines of {@code
 * application.properties}.
 */
@SpringBootApplication
public class ExampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }

  /** What to try, once the server is up. */
  @EventListener
  void ready(ApplicationReadyEvent event) {
    String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port");
    if (!event
        .getApplicationContext()
        .getEnvironment()
        .getProperty("example.print-usage", Boolean.class, true)) {
      return;
    }
    printUsage("http://localhost:" + port);
  }

  /** Where the example runs, where its limits come from, and requests to try. */
  private static void printUsage(String base) {
    System.out.println();
    System.out.println(
        "Tollgate Spring Boot example on " + base + " (embedded Tomcat). Ctrl+C stops it.");
    System.out.println(
        "Limits and headers: the tollgate.* lines of src/main/resources/application.properties.");
    System.out.println();
    System.out.println("Try:");
    System.out.println(
        "  curl -i '"
            + base
            + "/api/assets'                      # 20 items (the default page size)");
    System.out.println(
        "  curl -i '" + base + "/api/assets?pageSize=5000&page=2' # pageSize lowered to 1000");
    System.out.println("  curl -i '" + base + "/api/assets?pageSize=ten'         # 400 problem");
    System.out.println(
        "  curl -i -H 'X-Api-Key: demo' '"
            + base
            + "/api/reports?pageSize=500'  # 100 items; 10/min per client");
    System.out.println(
        "  curl -i -H 'X-Api-Key: demo' '" + base + "/api/rate_limit'  # your quotas, not counted");
    System.out.println(
        "  for i in $(seq 101); do curl -s -o /dev/null -w '%{http_code} ' -H 'X-Api-Key: k1' '"
            + base
            + "/api/assets?pageSize=1'; done; echo   # the 101st is 429");
    System.out.println(
        "  curl -s '"
            + base
            + "/actuator/tollgate'             # configuration, heaviest clients, suspensions");
    System.out.println(
        "  curl -s '" + base + "/actuator/metrics/tollgate.requests'  # decisions in Micrometer");
    System.out.println();
  }
}
