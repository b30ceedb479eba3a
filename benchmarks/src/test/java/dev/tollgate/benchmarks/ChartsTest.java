package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChartsTest {

  private static final String SUMMARY =
      """
      ## Decision cost (ns per decision per thread; lower is better)

      Some text.

      | contender | hot/1 | hot/2 | zipf/1 |
      |---|---:|---:|---:|
      | tollgate | 99 ± 3 | 120 ± 9 | 400 ± 20 |
      | bucket4j | 45 (0.45x) | 50 (0.42x) | – |

      ## Memory per tracked client (bytes; lower is better)

      | contender | limits | heap bytes/client |
      |---|---:|---:|
      | tollgate | 1 | 234 |
      | tomcat | 1 | 133 |

      ## HTTP overhead (embedded Jetty)

      | variant | req/s | p50 µs |
      |---|---:|---:|
      | servlet | 27,296 | 461 |
      | servlet-filter | 32,201 | 484 |
      """;

  @Test
  void tablesAreReadByHeadingAndColumnName() {
    Charts.Table decisions = Charts.Table.after(SUMMARY, "## Decision cost");
    assertEquals(List.of("tollgate", "bucket4j"), decisions.labels());
    assertArrayEquals(new double[] {99, 45}, decisions.column("hot/1"));
    double[] zipf = decisions.column("zipf/1");
    assertEquals(400, zipf[0]);
    assertTrue(Double.isNaN(zipf[1]), "a dash is no number");
    assertArrayEquals(
        new double[] {27_296, 32_201},
        Charts.Table.after(SUMMARY, "## HTTP overhead").column("req/s"));
  }

  @Test
  void eachTableBecomesAChartWithABarPerRowScaledToTheLargest() {
    Map<String, String> charts = Charts.draw(SUMMARY);
    assertEquals(List.of("decisions.svg", "memory.svg", "http.svg"), List.copyOf(charts.keySet()));
    String memory = charts.get("memory.svg");
    assertTrue(memory.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), memory);
    List<Integer> widths = barWidths(memory);
    assertEquals(2, widths.size(), memory);
    assertEquals(
        Math.round(widths.get(0) * 133.0 / 234), widths.get(1), 1, "bars proportional to values");
    assertTrue(
        memory.contains(">234<") && memory.contains(">133<"), "values printed beside their bars");
  }

  @Test
  void aSummaryWithoutATableGivesNoChart() {
    assertEquals(Map.of(), Charts.draw("## Redis store\n\nno table here\n"));
  }

  private static List<Integer> barWidths(String svg) {
    Matcher m =
        Pattern.compile("<rect x=\"\\d+\" y=\"\\d+\" width=\"(\\d+)\" height=\"18\"").matcher(svg);
    List<Integer> widths = new ArrayList<>();
    while (m.find()) {
      widths.add(Integer.parseInt(m.group(1)));
    }
    return widths;
  }
}
