package dev.tollgate.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.core.PageSizeOutcome;
import dev.tollgate.core.RequestView;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whatever the query, the application never sees a page size above the maximum, and core never
 * throws.
 */
class PageSizeFuzzTest {

  private static final Tollgate TOLLGATE =
      Tollgate.create(
          TollgateConfig.parse(
              Map.of(
                  "limits",
                  "1000000/1s",
                  "page-size.max",
                  "100",
                  "page-size.on-invalid",
                  "default")));

  @FuzzTest(maxDuration = "10s")
  void rewrittenQuery_neverCarriesAPageSizeAboveTheMaximum(FuzzedDataProvider data) {
    String query = data.consumeRemainingAsString();
    RequestView request = new QueryRequest(query);
    Verdict v = TOLLGATE.check(request);
    // Before the return below: a rejected page size is answered 400, which does not proceed.
    if (v.pageSize().status() == PageSizeOutcome.Status.REJECTED) {
      throw new AssertionError("rejected although on-invalid=default");
    }
    if (!v.proceed()) {
      return;
    }
    String rewritten = v.pageSize().rewriteQuery(query);
    List<String> seen = new QueryRequest(rewritten).parameterValues("pageSize");
    if (seen.size() != 1) {
      throw new AssertionError("expected exactly one pageSize in " + rewritten + " from " + query);
    }
    int value = Integer.parseInt(seen.get(0));
    if (value < 1 || value > 100) {
      throw new AssertionError("page size " + value + " reached the application from " + query);
    }
    for (Integer i : v.pageSize().values().values()) {
      if (i < 1 || i > 100) {
        throw new AssertionError("parameter value " + i + " from " + query);
      }
    }
  }

  /**
   * Decodes a query as a servlet container does; malformed escapes drop the pair, as Jetty does.
   */
  static final class QueryRequest implements RequestView {
    private final String query;

    QueryRequest(String query) {
      this.query = query;
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String path() {
      return "/items";
    }

    @Override
    public String header(String name) {
      return null;
    }

    @Override
    public List<String> headers(String name) {
      return List.of();
    }

    @Override
    public String remoteAddress() {
      return "192.0.2.1";
    }

    @Override
    public String principalName() {
      return null;
    }

    @Override
    public List<String> parameterValues(String name) {
      List<String> out = new ArrayList<>();
      if (query == null) {
        return out;
      }
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        try {
          String n =
              URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          if (n.equals(name)) {
            out.add(
                eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        } catch (IllegalArgumentException e) {
          // skipped, like a container that drops malformed pairs
        }
      }
      return out;
    }
  }
}
