package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The chart's PrometheusRule is compose's alert rules: Helm reads only files inside the chart, so
 * {@code files/alerts.yml} is a copy of {@code deploy/prometheus/alerts.yml}, checked here to be
 * identical (to refresh it: {@code cp deploy/prometheus/alerts.yml
 * deploy/kubernetes/vae-stream/files/alerts.yml}). The PodMonitor names jobs as compose does.
 */
class AlertRulesCopyTest {
  private static final Path SOURCE = Path.of("deploy/prometheus/alerts.yml");
  private static final Path COPY = Path.of("files/alerts.yml");

  @Test
  void theChartsRulesAreAnIdenticalCopyOfCompose() throws IOException {
    Path source = Chart.repoDir().resolve(SOURCE);
    Path copy = Chart.dir().resolve(COPY);
    assertThat(Files.exists(copy))
        .as("%s exists exactly when %s does", copy, source)
        .isEqualTo(Files.exists(source));
    if (Files.exists(source)) {
      assertThat(Files.readString(copy))
          .as("cp %s deploy/kubernetes/vae-stream/%s", SOURCE, COPY)
          .isEqualTo(Files.readString(source));
    }
  }

  @Test
  void thePrometheusRuleCarriesEveryGroupOfTheFile() throws IOException {
    Path copy = Chart.dir().resolve(COPY);
    Rendered r = Chart.valueSet("defaults");
    if (!Files.exists(copy)) {
      assertThat(r.all(PrometheusRule.class)).isEmpty();
      return;
    }
    JsonNode file = StrictYaml.YAML.readTree(copy.toFile());
    PrometheusRule rule = r.one(PrometheusRule.class, "vae-stream");
    JsonNode rendered = StrictYaml.YAML.valueToTree(rule.getSpec());
    assertThat(rendered.get("groups")).isEqualTo(file.get("groups"));
  }

  @Test
  void podMonitorJobsAreTheServiceNamesTheRulesUse() {
    PodMonitor monitor = Chart.valueSet("defaults").one(PodMonitor.class, "vae-stream");
    assertThat(monitor.getSpec().getJobLabel()).isEqualTo("app.kubernetes.io/component");
    assertThat(monitor.getSpec().getPodMetricsEndpoints())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getPort()).isEqualTo("http");
              assertThat(e.getPath()).isEqualTo("/metrics");
            });
    for (Workloads.Workload w : Workloads.all(Chart.valueSet("scaled-out"))) {
      assertThat(w.service()).isIn("producer", "trainer", "scorer");
    }
  }
}
