package dev.vaestream.app.demo;

import java.util.Locale;
import java.util.Map;

/**
 * The demo's status line, built from the services' {@code /metrics} scrapes and the score tally.
 * Each figure keeps its last value read, so the final line after Ctrl-C (when the services have
 * already stopped and a scrape finds nothing) still shows what the run reached, and a figure never
 * read shows as {@code -}, never as {@code NaN}.
 */
final class DemoStatus {
  static final String PRODUCED = "vae_producer_images";
  static final String TRAINER_STEP = "vae_trainer_model_step";
  static final String PREQUENTIAL_LOSS = "vae_trainer_prequential_loss{part=\"total\"";

  private double produced = Double.NaN;
  private double trainerStep = Double.NaN;
  private double prequentialLoss = Double.NaN;
  private double driftState = Double.NaN;
  private double driftDetections = Double.NaN;

  /** Takes the figures present in these scrapes; absent ones keep their last value. */
  synchronized void update(Map<String, Double> producer, Map<String, Double> trainer) {
    produced = orLast(sum(producer, PRODUCED), produced);
    trainerStep = orLast(sum(trainer, TRAINER_STEP), trainerStep);
    prequentialLoss = orLast(sum(trainer, PREQUENTIAL_LOSS), prequentialLoss);
    driftState = orLast(sum(trainer, "vae_trainer_drift_state"), driftState);
    driftDetections = orLast(sum(trainer, "vae_trainer_drift_detections"), driftDetections);
  }

  /** The line for the console. */
  String line(ScoreTally t) {
    return line(t.scored.get(), t.flagged.get(), t.precision(), t.recall(), t.modelStep.get());
  }

  /** The line for these tally figures. */
  synchronized String line(
      long scored, long flagged, double precision, double recall, long modelStepInUse) {
    return String.format(
        Locale.ROOT,
        "produced %s | trainer step %s, prequential loss %s | scored %d | flagged %d,"
            + " precision %s recall %s | model step in use %d | drift: %s",
        figure(produced, "%.0f"),
        figure(trainerStep, "%.0f"),
        figure(prequentialLoss, "%.1f"),
        scored,
        flagged,
        figure(precision, "%.2f"),
        figure(recall, "%.2f"),
        modelStepInUse,
        drift());
  }

  /** The trainer's drift state and detections, e.g. {@code ADAPTING (1 detected)}. */
  private String drift() {
    String name =
        switch ((int) (Double.isNaN(driftState) ? -1 : driftState)) {
          case 0 -> "off";
          case 1 -> "warming up";
          case 2 -> driftDetections > 0 ? "recovered" : "stable";
          case 3 -> "ADAPTING";
          default -> "-";
        };
    return String.format(
        Locale.ROOT,
        "%s (%.0f detected)",
        name,
        Double.isNaN(driftDetections) ? 0 : driftDetections);
  }

  /**
   * The metric whose name starts with {@code prefix}, summed over its tags; with a {@code {} in
   * the prefix, the one series it names. NaN when the scrape has none.
   *
   * <p>{@link dev.vaestream.core.metrics.MetricsScrape} keys each metric name with its samples
   * already summed and each labelled series by its full name; a prefix without a brace takes the
   * former, so no series is counted twice.
   */
  static double sum(Map<String, Double> samples, String prefix) {
    boolean series = prefix.indexOf('{') >= 0;
    double total = 0;
    boolean found = false;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(prefix) && (series || key.indexOf('{') < 0)) {
        total += e.getValue();
        found = true;
      }
    }
    return found ? total : Double.NaN;
  }

  private static double orLast(double now, double last) {
    return Double.isNaN(now) ? last : now;
  }

  private static String figure(double value, String format) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
  }
}
