package dev.vaestream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoStatusTest {

  @Test
  void aMetricIsSummedOverItsTagsNotTakenFromTheFirstSeries() {
    // As MetricsScrape gives it: the name with its samples summed, and each labelled series.
    Map<String, Double> scrape =
        Map.of(
            "vae_producer_images_total", 30.0,
            "vae_producer_images_total{kind=\"digit\"}", 20.0,
            "vae_producer_images_total{kind=\"noise\"}", 10.0,
            "vae_producer_bytes_total", 999.0);
    assertThat(DemoStatus.sum(scrape, "vae_producer_images")).isEqualTo(30.0);
    assertThat(DemoStatus.sum(scrape, "vae_producer_images_total{kind=\"noise\"")).isEqualTo(10.0);
    assertThat(DemoStatus.sum(scrape, "vae_scorer_images")).isNaN();
  }

  @Test
  void theLastLineKeepsTheLastFiguresReadInsteadOfNaN() {
    DemoStatus status = new DemoStatus();
    assertThat(status.line(0, 0, Double.NaN, Double.NaN, -1))
        .startsWith("produced - | trainer step -, prequential loss - |")
        .doesNotContain("NaN");

    status.update(
        Map.of("vae_producer_images_total", 1200.0),
        Map.of(
            "vae_trainer_model_step_steps", 37.0,
            "vae_trainer_prequential_loss{part=\"total\"}", 61.25,
            "vae_trainer_prequential_loss{part=\"kl\"}", 9.0));
    // After Ctrl-C the services are gone: the scrapes are empty.
    status.update(Map.of(), Map.of());

    assertThat(status.line(1100, 12, 0.5, 0.25, 30))
        .isEqualTo(
            "produced 1200 | trainer step 37, prequential loss 61.3 | scored 1100 | flagged 12,"
                + " precision 0.50 recall 0.25 | model step in use 30 | drift: - (0 detected)");
  }
}
