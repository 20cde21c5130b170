package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.testsupport.MeterConventions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The trainer's meters: the naming rules, the Prometheus names dashboards use, and close. */
class TrainerMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void followTheNamingRulesAndShareUnitsWithTheScorer() {
    TrainerMetrics metrics = new TrainerMetrics("cpu", "test");
    metrics.bindTo(registry);
    metrics.group(
        new OnlineLearner.GroupResult(0.5, 0.4, 0.1, 3, 2, 1, 0, 0.45, null, null, null, null),
        7,
        0.031);
    metrics.driftState(dev.vaestream.trainer.drift.DriftState.ADAPTING, 0.125);
    metrics.driftPublished();
    metrics.checkpointed(1234, 1_000_000);
    metrics.notLearnable();
    metrics.dlq("bad_magic");

    assertThat(MeterConventions.violations(registry)).isEmpty();
    String scrape = registry.scrape();
    assertThat(scrape)
        // Same units as vae_scorer_model_step_steps and vae_scorer_threshold_score.
        .contains("vae_trainer_model_step_steps 7.0")
        .contains("vae_trainer_threshold_score 0.031")
        // A time gauge, in seconds, like vae_scorer_model_age_seconds.
        .containsPattern("vae_trainer_checkpoint_age_seconds [0-9.E-]+")
        .contains("vae_trainer_steps_total 1.0")
        .contains("vae_trainer_images_total 32.0")
        // By reason: the alert watches only the hard cut, the soft guard skips a third by design.
        .contains("vae_trainer_guard_skipped_images_total{reason=\"threshold\"} 1.0")
        .contains("vae_trainer_guard_skipped_images_total{reason=\"soft\"} 2.0")
        .contains("vae_trainer_images_ignored_images_total 1.0")
        .contains("vae_trainer_checkpoints_total 1.0")
        .contains("vae_trainer_drift_detections_total 1.0")
        .contains("vae_trainer_drift_state 3.0")
        .contains("vae_trainer_drift_input_shift_ratio 0.125")
        .contains("vae_trainer_dlq_records_total{reason=\"bad_magic\"} 1.0")
        .contains("vae_trainer_backend{backend=\"cpu\",device=\"test\"} 1.0")
        .doesNotContain("_mse")
        .doesNotContain("vae_trainer_model_step ");
  }

  @Test
  void thePrequentialLossUnderTheCurrentScenarioPhaseOnly() {
    TrainerMetrics metrics = new TrainerMetrics("cpu", "test");
    metrics.bindTo(registry);
    metrics.phaseLoss(null, 0.9);
    assertThat(registry.scrape()).as("no phases, no series").doesNotContain("vae_trainer_phase");

    metrics.phaseLoss("upright", 0.04);
    metrics.phaseLoss("rotated", 0.07);
    assertThat(MeterConventions.violations(registry)).isEmpty();
    assertThat(registry.scrape())
        .contains("vae_trainer_phase_loss{phase=\"rotated\"} 0.07")
        .contains("vae_trainer_phase_loss{phase=\"upright\"} NaN");

    for (int i = 0; i < 40; i++) {
      metrics.phaseLoss("p" + i, 0.05);
    }
    long series =
        registry.scrape().lines().filter(l -> l.startsWith("vae_trainer_phase_loss{")).count();
    assertThat(series).as("bounded: at most 16 phases plus 'other'").isEqualTo(17);
    assertThat(registry.scrape()).contains("vae_trainer_phase_loss{phase=\"other\"} 0.05");

    metrics.close();
    assertThat(registry.scrape()).doesNotContain("vae_trainer_phase_loss");
  }

  @Test
  void closeRemovesEveryMeterItRegistered() {
    TrainerMetrics metrics = new TrainerMetrics("cpu", "test");
    metrics.bindTo(registry);
    metrics.dlq("a_reason_registered_late");
    assertThat(MeterConventions.ourMeters(registry)).isNotEmpty();

    metrics.close();

    assertThat(MeterConventions.ourMeters(registry)).isEmpty();
  }
}
