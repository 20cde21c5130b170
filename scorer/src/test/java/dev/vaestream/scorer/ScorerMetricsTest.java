package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.scorer.stats.StatsMetrics;
import dev.vaestream.testsupport.MeterConventions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The scorer's meters: the naming rules, the Prometheus names dashboards use, and close. */
class ScorerMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<LoadedModel> model = new AtomicReference<>();

  @Test
  void followTheNamingRulesAndShareUnitsWithTheTrainer() {
    ScorerMetrics metrics = new ScorerMetrics(model::get);
    metrics.bindTo(registry);
    new StatsMetrics().bindTo(registry);
    metrics.scored(0.02, 15);
    metrics.committed(1, 0, Map.of("bad_magic", 1L), 1_000_000);
    metrics.rejected("bad_signature");

    assertThat(MeterConventions.violations(registry)).isEmpty();
    assertThat(registry.scrape())
        // Same units as vae_trainer_model_step_steps and vae_trainer_threshold_score.
        .contains("vae_scorer_model_step_steps NaN")
        .contains("vae_scorer_threshold_score NaN")
        .contains("vae_scorer_model_age_seconds NaN")
        .contains("vae_scorer_images_total 1.0")
        .contains("vae_scorer_dlq_records_total{reason=\"bad_magic\"} 1.0")
        .contains("vae_scorer_checkpoint_rejections_total{reason=\"bad_signature\"} 1.0")
        .contains("vae_scorer_score_milliscore_bucket{le=\"20.0\"} 1")
        .contains("vae_scorer_latency_seconds_bucket")
        .contains("vae_scorer_stats_window_end_seconds")
        .doesNotContain("vae_scorer_model_step ");
  }

  @Test
  void closeRemovesEveryMeterItRegistered() {
    ScorerMetrics metrics = new ScorerMetrics(model::get);
    StatsMetrics stats = new StatsMetrics();
    metrics.bindTo(registry);
    stats.bindTo(registry);
    metrics.committed(1, 0, Map.of("a_reason_registered_late", 1L), 1);
    assertThat(MeterConventions.ourMeters(registry)).isNotEmpty();

    metrics.close();
    stats.close();

    assertThat(MeterConventions.ourMeters(registry)).isEmpty();
  }
}
