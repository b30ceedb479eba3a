package dev.tollgate.example.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves an example WAR in Jetty 12 (ee10) until stopped with Ctrl+C, and prints what to try. Run
 * by {@code mvn -pl examples/<example> exec:java}; the example's pom sets the system properties
 * {@code example.war}, {@code example.port}, {@code example.title} and {@code example.config}.
 */
public final class ExampleLauncher {

  private ExampleLauncher() {}

  public static void main(String[] args) throws Exception {
    Path war = Path.of(System.getProperty("example.war"));
    int port = Integer.getInteger("example.port", 8080);
    String title = System.getProperty("example.title", "Tollgate example");
    if (!Files.isRegularFile(war)) {
      System.err.println(
          "No WAR at " + war.toAbsolutePath() + "; build it first (see the README).");
      System.exit(2);
    }
    int[] bound = new int[1];
    WarContainers.jetty(war, null, port, p -> bound[0] = p);
    printUsage(title, war, "http://localhost:" + bound[0]);
    Thread.currentThread().join();
  }

  /** Where the example runs, where its limits come from, and requests to try. */
  private static void printUsage(String title, Path war, String base) {
    System.out.println();
    System.out.println(
        title + ": " + war.getFileName() + " on " + base + " (Jetty 12, ee10). Ctrl+C stops it.");
    System.out.println(
        "Limits and headers: "
            + System.getProperty("example.config", "tollgate.properties in the WAR")
            + ".");
    System.out.println();
    System.out.println("Try:");
    printPageSizeAndLimitTries(base);
    printPlanTries(base);
    System.out.println();
  }

  /** Page sizes (default, capped, malformed), the endpoint rule and the per-client limit. */
  private static void printPageSizeAndLimitTries(String base) {
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
        "  curl -i -H 'X-Api-Key: k2' '"
            + base
            + "/api/assets?pageSize=1'  # another key is still served");
  }

  /** The demo API keys of the plans, and a plan change through the billing endpoint. */
  private static void printPlanTries(String base) {
    System.out.println(
        "  curl -i -H 'X-Api-Key: demo-starter-key' '"
            + base
            + "/api/assets?pageSize=1'   # plan starter: 20/min");
    System.out.println(
        "  curl -i -H 'X-Api-Key: demo-business-key' '"
            + base
            + "/api/assets?pageSize=1'  # plan business: 1000/min");
    System.out.println(
        "  curl -i -H 'X-Api-Key: demo-trial-key' '"
            + base
            + "/api/assets?pageSize=1'     # starter, until:");
    System.out.println(
        "  curl -X POST '"
            + base
            + "/api/billing?key=demo-trial-key&plan=business'  # seen within 2 s");
  }
}
