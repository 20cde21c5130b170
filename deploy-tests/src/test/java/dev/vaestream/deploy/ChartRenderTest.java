package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart renders with Helm, passes {@code helm lint --strict}, and every object parses strictly.
 */
class ChartRenderTest {
  static List<String> valueSets() {
    return Chart.valueSetNames();
  }

  @Test
  void helmLintStrictPasses() {
    LintResult lint = new Helm(Chart.dir()).lint().strict().call();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void everyObjectParsesStrictlyIntoItsModel(String valueSet) throws IOException {
    Rendered r = Chart.valueSet(valueSet);
    // Kept for reviewers: what `helm template` gives for this values set.
    Files.writeString(Path.of("target", "rendered-" + valueSet + ".yaml"), r.text());
    assertThat(r.objects()).isNotEmpty();
    assertThat(r.objects()).allSatisfy(o -> assertThat(o.model()).isNotNull());
  }

  @Test
  void defaultsRenderTheTrainerScorersTopicsAndMonitoring() {
    Rendered r = Chart.valueSet("defaults");
    assertThat(r.objects().stream().map(o -> o.kind() + " " + o.name()).sorted().toList())
        .containsExactly(
            "Deployment vae-vae-stream-trainer",
            "KafkaTopic anomaly.scores",
            "KafkaTopic anomaly.stats",
            "KafkaTopic mnist.images",
            "KafkaTopic mnist.images.dlq",
            "KafkaTopic vae.checkpoints",
            "KafkaTopic vae.events",
            "PersistentVolumeClaim vae-vae-stream-trainer-checkpoints",
            "PodDisruptionBudget vae-vae-stream-scorer",
            "PodMonitor vae-vae-stream",
            "PrometheusRule vae-vae-stream",
            "Service vae-vae-stream-scorer",
            "Service vae-vae-stream-trainer",
            "StatefulSet vae-vae-stream-scorer");
  }

  @Test
  void scaledOutAddsTheProducerAndOneUserPerService() {
    Rendered r = Chart.valueSet("scaled-out");
    assertThat(r.objects().stream().filter(o -> o.kind().equals("KafkaUser")).map(o -> o.name()))
        .containsExactlyInAnyOrder("vae-producer", "vae-trainer", "vae-scorer");
    assertThat(r.objects().stream().filter(o -> o.kind().equals("Deployment")).map(o -> o.name()))
        .containsExactlyInAnyOrder("vae-vae-stream-producer", "vae-vae-stream-trainer");
  }

  @Test
  void aMisspeltFieldFailsTheStrictParse() {
    String bad =
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: x
        spec:
          replica: 3
        """;
    assertThatThrownBy(() -> Rendered.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replica");
  }

  @Test
  void aKindWithoutAModelFails() {
    String unknown =
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: x
        """;
    assertThatThrownBy(() -> Rendered.parse(unknown)).hasMessageContaining("no strict model");
  }
}
