package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vaestream.app.DashboardFiles.Dashboard;
import dev.vaestream.app.DashboardFiles.Query;
import dev.vaestream.app.LocalPrometheus.Sample;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks the monitoring deliverables without Docker: the Prometheus configs ({@code promtool}), the
 * Compose file ({@code docker-compose config}), the dashboards' structure, and — against the real
 * demo pipeline scraped by a real Prometheus on loopback — that every PromQL expression of every
 * dashboard returns data. Each check skips when its tool is not installed ({@code apt-get install
 * prometheus docker-compose}; {@code .ci/run} does that).
 */
class DashboardsIT {
  private static final Path ROOT = ExternalTools.repoRoot();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Path DASHBOARDS = ROOT.resolve("grafana/dashboards");
  private static final Path WORK = ROOT.resolve("app/target/dashboards-it");
  private static final String DATASOURCE = "${datasource}";

  /** How long the pipeline runs before the dashboards are queried (then retried until +60 s). */
  private static final Duration RUN =
      Duration.ofSeconds(Long.getLong("vae.dashboards.it.runSeconds", 60));

  private static final Duration RETRY = Duration.ofSeconds(60);

  /**
   * With {@code -Dvae.dashboards.it.finite=true}, also require a number (not only NaN) from every
   * expression except the statistics-window gauges, whose first 60 s window may not have closed.
   */
  private static final boolean REQUIRE_FINITE = Boolean.getBoolean("vae.dashboards.it.finite");

  private static final Pattern MAY_BE_NAN = Pattern.compile("vae_scorer_stats_");
  private static final Pattern IMG_SRC = Pattern.compile("<img[^>]*\\ssrc=\"([^\"]+)\"");

  @Test
  void prometheusConfigsPassPromtool() throws Exception {
    Optional<Path> promtool = ExternalTools.onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool not on PATH (apt-get install prometheus)");
    for (String config : List.of("prometheus.yml", "prometheus-local.yml")) {
      ExternalTools.Result r =
          ExternalTools.run(
              DEPLOY.resolve("prometheus"),
              60,
              List.of(promtool.get().toString(), "check", "config", config));
      assertThat(r.exitCode()).as("promtool check config %s:%n%s", config, r.output()).isZero();
    }
  }

  @Test
  void composeFileIsAccepted() throws Exception {
    Optional<List<String>> compose = composeCommand();
    assumeTrue(
        compose.isPresent(),
        "neither docker-compose nor the docker compose plugin (apt-get install docker-compose)");
    ExternalTools.Result config = compose(compose.get(), "config");
    assertThat(config.exitCode()).as("compose config:%n%s", config.output()).isZero();
    ExternalTools.Result services = compose(compose.get(), "config", "--services");
    assertThat(services.exitCode()).as(services.output()).isZero();
    assertThat(services.output().lines().map(String::strip))
        .contains(
            "kafka",
            "topic-init",
            "producer",
            "trainer",
            "scorer",
            "prometheus",
            "alertmanager",
            "grafana");
    // Every image is pinned in .env, and interpolation left no variable unresolved.
    assertThat(config.output()).doesNotContain("${").doesNotContain(":latest");
    ComposeFacts.check(config.output());
  }

  /** {@code docker-compose} (v1, Debian's package), else the {@code docker compose} plugin. */
  private static Optional<List<String>> composeCommand() throws Exception {
    Optional<Path> v1 = ExternalTools.onPath("docker-compose");
    if (v1.isPresent()) {
      return Optional.of(List.of(v1.get().toString()));
    }
    Optional<Path> docker = ExternalTools.onPath("docker");
    if (docker.isPresent()
        && ExternalTools.run(ROOT, 30, List.of(docker.get().toString(), "compose", "version"))
                .exitCode()
            == 0) {
      return Optional.of(List.of(docker.get().toString(), "compose"));
    }
    return Optional.empty();
  }

  private static ExternalTools.Result compose(List<String> compose, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("-f", "deploy/docker-compose.yml"));
    command.addAll(List.of(args));
    return ExternalTools.run(ROOT, 60, command);
  }

  @Test
  void dashboardsAreWellFormed() throws Exception {
    List<Dashboard> dashboards = DashboardFiles.load(DASHBOARDS);
    assertThat(dashboards)
        .extracting(Dashboard::name)
        .contains("training.json", "scoring.json", "health.json");
    Set<String> uids = new HashSet<>();
    for (Dashboard d : dashboards) {
      JsonNode json = d.json();
      assertThat(uids.add(json.path("uid").asText())).as("%s: unique uid", d.name()).isTrue();
      assertThat(json.path("title").asText()).as("%s: title", d.name()).isNotBlank();
      assertThat(json.path("schemaVersion").asInt())
          .as("%s: schemaVersion", d.name())
          .isBetween(36, 41);
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : d.panels()) {
        String where = d.name() + " / " + panel.path("title").asText();
        assertThat(ids.add(panel.path("id").asInt())).as("%s: unique panel id", where).isTrue();
        assertThat(panel.has("gridPos")).as("%s: gridPos", where).isTrue();
        if (DashboardFiles.isQueryless(panel)) {
          continue;
        }
        assertThat(panel.path("datasource").path("uid").asText())
            .as("%s: datasource uid", where)
            .isEqualTo(DATASOURCE);
        assertThat(panel.path("targets")).as("%s: targets", where).isNotEmpty();
        for (JsonNode t : panel.path("targets")) {
          assertThat(t.path("expr").asText()).as("%s: target expr", where).isNotBlank();
          if (t.has("datasource")) {
            assertThat(t.path("datasource").path("uid").asText())
                .as("%s: target datasource uid", where)
                .isEqualTo(DATASOURCE);
          }
        }
      }
      // Portable: the datasource is a variable (default: the provisioned uid), and every
      // dashboard can narrow to one replica.
      List<String> variables = new ArrayList<>();
      for (JsonNode v : json.path("templating").path("list")) {
        variables.add(v.path("name").asText());
        if (v.path("type").asText().equals("datasource")) {
          assertThat(v.path("query").asText())
              .as("%s: datasource type", d.name())
              .isEqualTo("prometheus");
          assertThat(v.path("current").path("value").asText()).isEqualTo("prometheus");
          continue;
        }
        assertThat(v.path("datasource").path("uid").asText())
            .as("%s: variable %s datasource", d.name(), v.path("name"))
            .isEqualTo(DATASOURCE);
      }
      assertThat(variables).as("%s: variables", d.name()).contains("datasource", "instance");
      // Prometheus annotations (drift detections) use the datasource variable like the panels.
      for (JsonNode a : json.path("annotations").path("list")) {
        if (a.has("expr")) {
          assertThat(a.path("datasource").path("uid").asText())
              .as("%s: annotation %s datasource", d.name(), a.path("name"))
              .isEqualTo(DATASOURCE);
        }
      }
      if (!d.name().equals("health.json")) {
        assertThat(json.path("annotations").path("list").findValuesAsText("expr"))
            .as("%s: drift detections as annotations", d.name())
            .anyMatch(e -> e.contains("vae_trainer_drift_detections_total"));
      }
      d.variableQueries(); // only label_values(metric, label) queries, which the live check runs
    }
    // Every expression resolves to plain PromQL (no unknown Grafana variables), rates use
    // Grafana's $__rate_interval, and no filter drops topics with an underscore in their name.
    assertThat(DashboardFiles.queries(dashboards))
        .allSatisfy(q -> assertThat(DashboardFiles.VARIABLE.matcher(q.promql()).find()).isFalse())
        .allSatisfy(q -> assertThat(q.expr()).doesNotContain("[1m]").doesNotContain(".*_.*"));
    // The reconstruction image is the trainer's, on its documented port.
    assertThat(reconstructionImageUrls(dashboards))
        .containsExactly("http://localhost:9402/reconstructions.png");
    // Provisioning: the uid the panels use, and the dashboards directory as compose mounts it.
    assertThat(Files.readString(ROOT.resolve("grafana/provisioning/datasources/prometheus.yml")))
        .contains("uid: prometheus")
        .contains("url: http://prometheus:9090");
    assertThat(Files.readString(ROOT.resolve("grafana/provisioning/dashboards/dashboards.yml")))
        .contains("path: /etc/grafana/dashboards");
    assertThat(Files.readString(DEPLOY.resolve("docker-compose.yml")))
        .contains("../grafana/dashboards:/etc/grafana/dashboards")
        .contains("../grafana/provisioning:/etc/grafana/provisioning");
  }

  @Test
  @Timeout(300)
  void everyDashboardQueryHasDataFromTheDemoPipeline() throws Exception {
    Optional<Path> prometheusBinary = ExternalTools.onPath("prometheus");
    assumeTrue(prometheusBinary.isPresent(), "prometheus not on PATH (apt-get install prometheus)");
    List<Dashboard> dashboards = DashboardFiles.load(DASHBOARDS);
    List<Query> queries = DashboardFiles.queries(dashboards);
    List<String> variableQueries = new ArrayList<>();
    for (Dashboard d : dashboards) {
      variableQueries.addAll(d.variableQueries());
    }

    ExternalTools.deleteTree(WORK);
    Files.createDirectories(WORK);
    List<Integer> ports = ExternalTools.freePorts(4);
    Path config = WORK.resolve("prometheus.yml");
    Files.writeString(config, scrapeConfig(ports.get(0), ports.get(1), ports.get(2)));
    // rule_files is relative to the config: the real rules, evaluated (not asserted) here too.
    Files.copy(DEPLOY.resolve("prometheus/alerts.yml"), WORK.resolve("alerts.yml"));

    long started = System.nanoTime();
    DemoStack demo = null;
    LocalPrometheus prometheus = null;
    try {
      demo = DemoStack.start(ROOT, WORK, ports.get(0), ports.get(1), ports.get(2), 300);
      prometheus = LocalPrometheus.start(prometheusBinary.get(), config, WORK, ports.get(3));
      prometheus.awaitReady(Duration.ofSeconds(30));
      demo.awaitHealthy(Duration.ofSeconds(120));
      System.out.printf(Locale.ROOT, "Demo healthy after %d s%n", demo.uptime().toSeconds());
      while (demo.uptime().compareTo(RUN) < 0) {
        assertThat(demo.alive()).as("demo still running; see %s", demo.log()).isTrue();
        Thread.sleep(1000);
      }

      // Every expression must return at least one series; late series get until RUN + RETRY.
      long deadline = System.nanoTime() + RETRY.toNanos();
      Map<String, List<Sample>> results = evaluate(prometheus, queries, variableQueries);
      while (results.values().stream().anyMatch(List::isEmpty) && System.nanoTime() < deadline) {
        Thread.sleep(5000);
        results = evaluate(prometheus, queries, variableQueries);
      }
      writeReport(queries, variableQueries, results);
      List<String> empty =
          results.entrySet().stream()
              .filter(e -> e.getValue().isEmpty())
              .map(Map.Entry::getKey)
              .toList();
      assertThat(empty)
          .as("dashboard expressions without data (report: %s)", WORK.resolve("queries.txt"))
          .isEmpty();
      if (REQUIRE_FINITE) {
        List<String> onlyNaN =
            results.entrySet().stream()
                .filter(e -> !MAY_BE_NAN.matcher(e.getKey()).find())
                .filter(e -> e.getValue().stream().allMatch(Sample::isNaN))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(onlyNaN).as("dashboard expressions with only NaN values").isEmpty();
      }

      // The pipeline really flowed: every job up, images produced, learned and scored.
      assertThat(prometheus.query("up")).hasSize(3).allMatch(s -> s.value().equals("1"));
      // Failed authentications: one series per service, the producer's included (no `+` that
      // keeps only services with both a producer and a consumer).
      assertThat(
              prometheus.query(
                  DashboardFiles.substitute(
                      authenticationPanelExpr(dashboards),
                      Map.of("service", ".*", "instance", ".*"))))
          .extracting(s -> s.labels().path("service").asText())
          .containsExactlyInAnyOrder("producer", "trainer", "scorer");
      for (String rate :
          List.of(
              "sum(rate(vae_producer_images_total[1m]))",
              "sum(rate(vae_trainer_images_total[1m]))",
              "sum(rate(vae_scorer_images_total[1m]))")) {
        assertThat(prometheus.query(rate))
            .as(rate)
            .singleElement()
            .satisfies(s -> assertThat(s.asDouble()).isPositive());
      }
      // The Text panel's image: served by the trainer (here on the test's port).
      HttpResponse<byte[]> png = demo.get("trainer", "/reconstructions.png");
      assertThat(png.statusCode()).as("GET /reconstructions.png").isEqualTo(200);
      assertThat(Arrays.copyOf(png.body(), 8))
          .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    } finally {
      try {
        if (prometheus != null) {
          prometheus.close();
        }
      } finally {
        if (demo != null) {
          demo.close();
        }
      }
      System.out.printf(
          Locale.ROOT,
          "Dashboards check took %d s (logs in %s)%n",
          Duration.ofNanos(System.nanoTime() - started).toSeconds(),
          WORK);
    }
  }

  private static String authenticationPanelExpr(List<Dashboard> dashboards) {
    return DashboardFiles.queries(dashboards).stream()
        .map(Query::expr)
        .filter(e -> e.contains("failed_authentication"))
        .findFirst()
        .orElseThrow();
  }

  /** prometheus-local.yml, pointed at the test's ports and scraping every 2 s. */
  static String scrapeConfig(int producer, int trainer, int scorer) throws IOException {
    String local = Files.readString(DEPLOY.resolve("prometheus/prometheus-local.yml"));
    Map<String, String> replacements = new LinkedHashMap<>();
    replacements.put("127.0.0.1:9401", "127.0.0.1:" + producer);
    replacements.put("127.0.0.1:9402", "127.0.0.1:" + trainer);
    replacements.put("127.0.0.1:9403", "127.0.0.1:" + scorer);
    replacements.put("scrape_interval: 5s", "scrape_interval: 2s");
    replacements.put("scrape_timeout: 4s", "scrape_timeout: 2s");
    String config = local;
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      assertThat(config).as("prometheus-local.yml contains %s", r.getKey()).contains(r.getKey());
      config = config.replace(r.getKey(), r.getValue());
    }
    return config;
  }

  private static Map<String, List<Sample>> evaluate(
      LocalPrometheus prometheus, List<Query> queries, List<String> variableQueries)
      throws IOException, InterruptedException {
    Map<String, List<Sample>> results = new LinkedHashMap<>();
    for (Query q : queries) {
      results.put(q.toString(), prometheus.query(q.promql()));
    }
    for (String v : variableQueries) {
      results.put("variable: " + v, prometheus.query(v));
    }
    return results;
  }

  /** Every expression with its series count and values, for people reading the test output. */
  private static void writeReport(
      List<Query> queries, List<String> variableQueries, Map<String, List<Sample>> results)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    int allNaN = 0;
    for (Map.Entry<String, List<Sample>> e : results.entrySet()) {
      List<Sample> samples = e.getValue();
      boolean nan = !samples.isEmpty() && samples.stream().allMatch(Sample::isNaN);
      allNaN += nan ? 1 : 0;
      String values =
          samples.stream().limit(6).map(Sample::value).collect(Collectors.joining(", "));
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5s %3d  %s%n      = [%s%s]%n",
              samples.isEmpty() ? "EMPTY" : nan ? "NaN" : "ok",
              samples.size(),
              e.getKey(),
              values,
              samples.size() > 6 ? ", ..." : ""));
    }
    String summary =
        String.format(
            Locale.ROOT,
            "%d dashboard expressions and %d variable queries; %d without data, %d only NaN"
                + " (series exist, no value yet)%n",
            queries.size(),
            variableQueries.size(),
            results.values().stream().filter(List::isEmpty).count(),
            allNaN);
    Files.writeString(WORK.resolve("queries.txt"), summary + sb, StandardCharsets.UTF_8);
    System.out.print(summary + sb);
  }

  private static List<String> reconstructionImageUrls(List<Dashboard> dashboards) {
    List<String> urls = new ArrayList<>();
    for (Dashboard d : dashboards) {
      for (JsonNode panel : d.panels()) {
        if (panel.path("type").asText().equals("text")) {
          Matcher m = IMG_SRC.matcher(panel.path("options").path("content").asText());
          while (m.find()) {
            urls.add(m.group(1));
          }
        }
      }
    }
    return urls;
  }
}
