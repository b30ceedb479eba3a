package dev.tollgate.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws the benchmark summary's tables as SVG bar charts: {@code Charts <summary.md> <directory>}.
 * Reading the markdown the suite wrote (rather than the suite's own data) lets any results file be
 * drawn again, and keeps the charts and the tables from ever disagreeing.
 *
 * <p>Writes {@code decisions.svg} (ns per decision, one thread), {@code memory.svg} (heap bytes per
 * tracked client) and {@code http.svg} (requests per second), each only when its table is in the
 * summary. Our bars are drawn in a darker colour than the peers'.
 */
public final class Charts {

  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?");
  private static final int WIDTH = 640;
  private static final int ROW = 22;
  private static final int LABEL = 150;
  private static final int TOP = 48;
  private static final int PLOT = WIDTH - LABEL - 80;

  private Charts() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Charts <summary.md> <directory>");
      System.exit(2);
    }
    String markdown = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    Path directory = Files.createDirectories(Path.of(args[1]));
    for (Map.Entry<String, String> chart : draw(markdown).entrySet()) {
      Files.writeString(
          directory.resolve(chart.getKey()), chart.getValue(), StandardCharsets.UTF_8);
      System.out.println("wrote " + directory.resolve(chart.getKey()));
    }
  }

  /** File name to SVG text, for every chart whose table the summary holds. */
  static Map<String, String> draw(String markdown) {
    Map<String, String> charts = new LinkedHashMap<>();
    Table decisions = Table.after(markdown, "## Decision cost");
    if (decisions != null) {
      charts.put(
          "decisions.svg",
          svg(
              "Decision cost, one thread (ns; lower is better)",
              decisions.labels(),
              List.of("hot/1", "zipf/1"),
              List.of(decisions.column("hot/1"), decisions.column("zipf/1"))));
    }
    Table memory = Table.after(markdown, "## Memory per tracked client");
    if (memory != null) {
      charts.put(
          "memory.svg",
          svg(
              "Heap per tracked client (bytes; lower is better)",
              memory.labels(),
              List.of("heap bytes/client"),
              List.of(memory.column("heap bytes/client"))));
    }
    Table http = Table.after(markdown, "## HTTP overhead");
    if (http != null) {
      charts.put(
          "http.svg",
          svg(
              "HTTP throughput (requests per second; higher is better)",
              http.labels(),
              List.of("req/s"),
              List.of(http.column("req/s"))));
    }
    return charts;
  }

  /** A horizontal bar chart: one group of bars per label, one bar per series. */
  static String svg(String title, List<String> labels, List<String> series, List<double[]> values) {
    double max = largest(values);
    int bars = series.size();
    int height = TOP + labels.size() * (bars * ROW + 8) + 12;
    StringBuilder out = new StringBuilder();
    appendFrame(out, title, height);
    appendLegend(out, series);
    int y = TOP;
    for (int l = 0; l < labels.size(); l++) {
      y = appendGroup(out, labels.get(l), l, bars, values, max, y);
    }
    return out.append("</svg>\n").toString();
  }

  /** The largest value, NaN skipped; 0 when there is none. */
  private static double largest(List<double[]> values) {
    double max = 0;
    for (double[] v : values) {
      for (double d : v) {
        if (!Double.isNaN(d)) {
          max = Math.max(max, d);
        }
      }
    }
    return max;
  }

  /** The svg element, a white background and the title. */
  private static void appendFrame(StringBuilder out, String title, int height) {
    out.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            height));
    out.append(
        String.format(
            Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
            escape(title)));
  }

  /** A colour key per series, only when there is more than one. */
  private static void appendLegend(StringBuilder out, List<String> series) {
    int bars = series.size();
    for (int s = 0; s < bars && bars > 1; s++) {
      out.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"37\">%s</text>%n",
              LABEL + s * 120,
              colour(false, s),
              LABEL + s * 120 + 14,
              escape(series.get(s))));
    }
  }

  /**
   * The label of row {@code row} and its bars, one per series, from {@code y} down; returns where
   * the next group starts.
   */
  private static int appendGroup(
      StringBuilder out,
      String label,
      int row,
      int bars,
      List<double[]> values,
      double max,
      int y) {
    boolean ours =
        label.startsWith("tollgate")
            || label.startsWith("servlet-filter")
            || label.startsWith("jaxrs-provider");
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\"%s>%s</text>%n",
            LABEL - 6,
            y + bars * ROW / 2 + 4,
            ours ? " font-weight=\"bold\"" : "",
            escape(label)));
    for (int s = 0; s < bars; s++) {
      appendBar(out, values.get(s)[row], max, colour(ours, s), y);
      y += ROW;
    }
    return y + 8;
  }

  /** One bar scaled to {@code max}, its value printed beside it. */
  private static void appendBar(StringBuilder out, double v, double max, String colour, int y) {
    int width = Double.isNaN(v) || max == 0 ? 0 : (int) Math.round(PLOT * v / max);
    out.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n",
            LABEL,
            y,
            width,
            ROW - 4,
            colour,
            LABEL + width + 4,
            y + ROW - 8,
            Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v)));
  }

  private static String colour(boolean ours, int series) {
    String[] peers = {"#9ecae1", "#fdae6b"};
    String[] us = {"#08519c", "#d94801"};
    return (ours ? us : peers)[series % 2];
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The first table in {@code text}: its header row and the rows after the separator. */
  private static Table firstTable(String text) {
    List<String> header = null;
    List<List<String>> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      boolean tableLine = line.startsWith("|");
      if (!tableLine && header != null) {
        break;
      }
      if (!tableLine) {
        continue;
      }
      List<String> cells = cells(line);
      if (header == null) {
        header = cells;
      } else if (!cells.get(0).startsWith("---")) {
        rows.add(cells);
      }
    }
    return header == null ? null : new Table(header, rows);
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    for (String c : line.substring(1).split("\\|", -1)) {
      cells.add(c.strip());
    }
    if (cells.get(cells.size() - 1).isEmpty()) {
      cells.remove(cells.size() - 1);
    }
    return cells;
  }

  /** The first markdown table after a heading. */
  record Table(List<String> header, List<List<String>> rows) {

    static Table after(String markdown, String heading) {
      int at = markdown.indexOf(heading);
      return at < 0 ? null : firstTable(markdown.substring(at));
    }

    List<String> labels() {
      return rows.stream().map(r -> r.get(0)).toList();
    }

    /** The column's first number in each row; NaN where a cell holds none. */
    double[] column(String name) {
      int c = header.indexOf(name);
      double[] values = new double[rows.size()];
      for (int r = 0; r < values.length; r++) {
        List<String> row = rows.get(r);
        Matcher m = NUMBER.matcher(c >= 0 && c < row.size() ? row.get(c) : "");
        values[r] = m.find() ? Double.parseDouble(m.group().replace(",", "")) : Double.NaN;
      }
      return values;
    }
  }
}
