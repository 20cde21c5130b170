package dev.vaestream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The provisioned Grafana dashboards ({@code grafana/dashboards/*.json}) as the checks need them:
 * panels (rows flattened), their PromQL targets, and the expressions with Grafana's variables
 * replaced so Prometheus can evaluate them directly.
 */
final class DashboardFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * {@code $name}, {@code ${name}} or {@code ${name:format}}; not {@code $1}, a capture group in a
   * {@code label_replace} replacement, which Grafana leaves alone too.
   */
  static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_]\\w*)(?::\\w+)?}|\\$([A-Za-z_]\\w*)");

  /** Grafana's built-in interval variables, as they resolve for a short dashboard range. */
  private static final Map<String, String> BUILT_INS =
      Map.of("__rate_interval", "1m", "__interval", "15s", "__range", "5m");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.+),\\s*(\\w+)\\s*\\)\\s*$");

  private DashboardFiles() {}

  /** One dashboard file. */
  record Dashboard(Path file, JsonNode json) {
    String name() {
      return file.getFileName().toString();
    }

    /** Every panel, with the panels inside rows, in file order. */
    List<JsonNode> panels() {
      List<JsonNode> out = new ArrayList<>();
      collect(json.path("panels"), out);
      return out;
    }

    private static void collect(JsonNode panels, List<JsonNode> out) {
      for (JsonNode p : panels) {
        out.add(p);
        collect(p.path("panels"), out);
      }
    }

    /** Value each template variable takes when "All" is selected. */
    Map<String, String> allValues() {
      Map<String, String> values = new HashMap<>();
      for (JsonNode v : json.path("templating").path("list")) {
        String all = v.path("allValue").asText("");
        values.put(v.path("name").asText(), all.isEmpty() ? ".*" : all);
      }
      return values;
    }

    /**
     * PromQL equivalents of the {@code label_values(metric, label)} variable queries: {@code count
     * by (label) (metric)}, non-empty exactly when the variable has values.
     */
    List<String> variableQueries() {
      List<String> out = new ArrayList<>();
      for (JsonNode v : json.path("templating").path("list")) {
        if (!"query".equals(v.path("type").asText())) {
          continue;
        }
        JsonNode q = v.path("query");
        String text = q.isTextual() ? q.asText() : q.path("query").asText();
        Matcher m = LABEL_VALUES.matcher(text);
        if (!m.matches()) {
          throw new IllegalArgumentException(
              name() + ": variable " + v.path("name") + ": unsupported query " + text);
        }
        out.add("count by (" + m.group(2) + ") (" + m.group(1) + ")");
      }
      return out;
    }
  }

  /** One target of one panel. */
  record Query(String dashboard, String panel, String refId, String expr, String promql) {
    @Override
    public String toString() {
      return dashboard + " / " + panel + " / " + refId + ": " + promql;
    }
  }

  static List<Dashboard> load(Path dir) throws IOException {
    List<Dashboard> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(new Dashboard(f, JSON.readTree(f.toFile())));
      }
    }
    return out;
  }

  /** Whether a panel shows no data of its own (layout rows, text). */
  static boolean isQueryless(JsonNode panel) {
    String type = panel.path("type").asText();
    return type.equals("row") || type.equals("text");
  }

  /** Every target expression of every panel, with the variables replaced. */
  static List<Query> queries(List<Dashboard> dashboards) {
    List<Query> out = new ArrayList<>();
    for (Dashboard d : dashboards) {
      Map<String, String> vars = d.allValues();
      for (JsonNode panel : d.panels()) {
        for (JsonNode t : panel.path("targets")) {
          String expr = t.path("expr").asText("");
          out.add(
              new Query(
                  d.name(),
                  panel.path("title").asText(),
                  t.path("refId").asText(),
                  expr,
                  substitute(expr, vars)));
        }
      }
    }
    return out;
  }

  /** Replaces Grafana variables: template variables by their "All" value, built-ins by ranges. */
  static String substitute(String expr, Map<String, String> vars) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = vars.containsKey(name) ? vars.get(name) : BUILT_INS.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown Grafana variable $" + name + " in: " + expr);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
