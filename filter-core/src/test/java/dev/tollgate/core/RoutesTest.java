package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which rule decides a request and whose page sizes it gets: the most specific matching rule, ties
 * to the first, an adapter's extra rule above all; and the same answers for thousands of paths,
 * methods and extra rules sharing the bounded route cache.
 */
class RoutesTest {

  @Test
  void theMostSpecificMatchingRuleDecidesAndATieGoesToTheFirst() {
    Tollgate t =
        engine(
            new FakeClock(),
            "limits",
            "1000/1m",
            "rules.api.path",
            "/api/**",
            "rules.reports.path",
            "/api/reports",
            "rules.alpha.path",
            "/api/*/x",
            "rules.beta.path",
            "/api/y/*");
    assertEquals("reports", t.check(TestRequest.get("/api/reports")).rule());
    assertEquals("api", t.check(TestRequest.get("/api/other")).rule());
    assertEquals("alpha", t.check(TestRequest.get("/api/y/x")).rule(), "a tie: the first rule");
    assertEquals("beta", t.check(TestRequest.get("/api/y/z")).rule());
    assertEquals(Rule.DEFAULT, t.check(TestRequest.get("/elsewhere")).rule());
  }

  @Test
  void anExtraRuleWithoutPageSizesLeavesThemToTheMostSpecificRuleThatSetsThem() {
    Tollgate t =
        engine(
            new FakeClock(),
            "limits",
            "1000/1m",
            "page-size.default",
            "20",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.page-size.default",
            "7");
    TestRequest reports = TestRequest.get("/api/reports");
    Rule search = Rule.builder("search").limits("100/1m").build();
    Verdict v = t.check(reports, search);
    assertEquals("search", v.rule());
    assertEquals(Map.of("pageSize", 7), v.pageSize().values());
    Rule paged =
        Rule.builder("paged")
            .limits("100/1m")
            .pageSize(PageSizeRule.of(List.of("pageSize"), 3, 10, InvalidPageSize.REJECT))
            .build();
    assertEquals(Map.of("pageSize", 3), t.check(reports, paged).pageSize().values());
    assertEquals(
        Map.of("pageSize", 20), t.check(TestRequest.get("/other"), search).pageSize().values());
  }

  @Test
  void everyPathMethodAndExtraRuleGetsItsOwnRouteWhileTheyShareTheCache() {
    Tollgate t =
        engine(
            new FakeClock(),
            "limits",
            "1000000/1m",
            "rules.reports.path",
            "/api/reports/*",
            "rules.writes.path",
            "/api/**",
            "rules.writes.methods",
            "POST");
    Rule search = Rule.builder("search").limits("1000000/1m").build();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3000; i++) {
        String item = "/api/items/" + i;
        assertEquals(Rule.DEFAULT, t.check(TestRequest.get(item)).rule(), item);
        assertEquals("writes", t.check(TestRequest.get(item).method("POST")).rule(), item);
        assertEquals("search", t.check(TestRequest.get(item), search).rule(), item);
        String report = "/api/reports/" + i;
        assertEquals("reports", t.check(TestRequest.get(report)).rule(), report);
      }
    }
  }
}
