package dev.vaestream.scorer;

import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.metrics.OwnedMeterBinder;
import dev.vaestream.core.record.InvalidRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The scorer's own meters (the Kafka clients' and Streams' metrics are bound separately with
 * Micrometer's Kafka binders). Counts of output records ({@code images}, {@code anomalies}, {@code
 * dlq}) move only when their transaction commits, so they match what read_committed consumers see;
 * the score and latency distributions record every scoring attempt. A Micrometer binder: {@link
 * #close()} removes every meter it registered. Units match the trainer's for the same quantity
 * (model step in {@code steps}, threshold in {@code score}). Thread-safe.
 */
public final class ScorerMetrics extends OwnedMeterBinder {
  /** Rejection reasons beyond the checkpoint format's own. */
  public static final String REJECT_UNTRAINED = "untrained";

  public static final String REJECT_NON_FINITE = "non_finite";
  public static final String REJECT_BUILD_FAILED = "build_failed";

  /**
   * Score buckets in thousandths of the score, resolving MNIST's per-pixel MSE range (about 0.002
   * to 0.3). Thousandths because Micrometer's fixed-boundary histograms count ceil(value), so
   * boundaries below 1 never fill.
   */
  static final double[] SCORE_SLOS_MILLI = {
    2, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300
  };

  private static final double[] LATENCY_PERCENTILES = {0.5, 0.99, 0.999};

  private final Supplier<LoadedModel> model;
  private Counter images;
  private Counter anomalies;
  private Counter anomaliesAdapting;
  private DistributionSummary score;
  private Timer latency;
  private DistributionSummary batchSize;
  private Counter swaps;
  private Counter committed;
  private Timer commitTime;
  private Counter aborted;
  private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<String, Counter> dlq = new ConcurrentHashMap<>();

  /**
   * @param model the model in use, or null before the first; read by the gauges
   */
  public ScorerMetrics(Supplier<LoadedModel> model) {
    this.model = model;
  }

  @Override
  protected void register(MeterRegistry registry) {
    images =
        own(
            Counter.builder("vae.scorer.images")
                .description("Images scored (one score record each), counted when committed")
                .baseUnit("images")
                .register(registry));
    anomalies =
        own(
            Counter.builder("vae.scorer.anomalies")
                .description(
                    "Images flagged as anomalies (score above threshold), counted when committed")
                .baseUnit("anomalies")
                .register(registry));
    anomaliesAdapting =
        own(
            Counter.builder("vae.scorer.adapting.anomalies")
                .description(
                    "Of the flagged images, those flagged while the model was adapting to a"
                        + " detected drift (score records with adapting=true), counted when"
                        + " committed")
                .baseUnit("anomalies")
                .register(registry));
    score =
        own(
            DistributionSummary.builder("vae.scorer.score")
                .description(
                    "Anomaly score x 1000: per-pixel MSE of the reconstruction at the posterior mean,"
                        + " in thousandths")
                .baseUnit("milliscore")
                .scale(1000)
                .serviceLevelObjectives(SCORE_SLOS_MILLI)
                .register(registry));
    latency =
        own(
            Timer.builder("vae.scorer.latency")
                .description("Time from the image's produced_at to its scoring")
                .publishPercentiles(LATENCY_PERCENTILES)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
    // Prometheus exposes a timer with a histogram as a histogram only, dropping the client-side
    // percentiles; these gauges publish them anyway (recent values, Micrometer's decaying window).
    for (double q : LATENCY_PERCENTILES) {
      own(
          TimeGauge.builder(
                  "vae.scorer.latency.percentile",
                  latency,
                  TimeUnit.MILLISECONDS,
                  t -> percentile(t, q))
              .description("Recent percentile of the time from produced_at to scoring")
              .tag("quantile", Double.toString(q))
              .register(registry));
    }
    batchSize =
        own(
            DistributionSummary.builder("vae.scorer.batch.size")
                .description("Images per forward pass (what one poll returned)")
                .baseUnit("images")
                .serviceLevelObjectives(1, 8, 32, 128, 256, 512)
                .register(registry));
    own(
        Gauge.builder("vae.scorer.model.step", model, m -> stepOf(m.get()))
            .description("Training step of the model in use (NaN before the first)")
            .baseUnit("steps")
            .strongReference(true)
            .register(registry));
    own(
        TimeGauge.builder(
                "vae.scorer.model.age",
                model,
                TimeUnit.MILLISECONDS,
                m -> {
                  LoadedModel lm = m.get();
                  return lm == null ? Double.NaN : lm.ageMs(System.currentTimeMillis());
                })
            .description("Age of the model in use: now minus its checkpoint's creation time")
            .strongReference(true)
            .register(registry));
    own(
        Gauge.builder("vae.scorer.model.adapting", model, m -> adaptingOf(m.get()))
            .description(
                "1 while the model in use is adapting to a detected drift, 0 when settled, NaN"
                    + " before the first model or when its checkpoint has no drift context")
            .baseUnit("state")
            .strongReference(true)
            .register(registry));
    own(
        Gauge.builder("vae.scorer.threshold", model, m -> thresholdOf(m.get()))
            .description("Anomaly threshold in use (NaN when none: nothing is flagged)")
            .baseUnit("score")
            .strongReference(true)
            .register(registry));
    swaps =
        own(
            Counter.builder("vae.scorer.checkpoint.swaps")
                .description("Checkpoints loaded and swapped in")
                .baseUnit("swaps")
                .register(registry));
    commitTime =
        own(
            Timer.builder("vae.scorer.commit")
                .description("Time to commit one transaction: offsets, then the commit itself")
                .publishPercentiles(0.5, 0.99)
                .register(registry));
    committed = transactions("committed");
    aborted = transactions("aborted");
    for (CheckpointFormatException.Reason r : CheckpointFormatException.Reason.values()) {
      rejection(r.code());
    }
    rejection(REJECT_UNTRAINED);
    rejection(REJECT_NON_FINITE);
    rejection(REJECT_BUILD_FAILED);
    for (InvalidRecordException.Reason r : InvalidRecordException.Reason.values()) {
      dlqCounter(r.code());
    }
  }

  private Counter transactions(String outcome) {
    return own(
        Counter.builder("vae.scorer.transactions")
            .description("Score transactions by outcome (aborted ones are re-scored)")
            .baseUnit("transactions")
            .tag("outcome", outcome)
            .register(registry()));
  }

  private Counter rejection(String reason) {
    return rejections.computeIfAbsent(
        reason,
        r ->
            own(
                Counter.builder("vae.scorer.checkpoint.rejections")
                    .description("Checkpoints rejected; the model in use stays")
                    .baseUnit("rejections")
                    .tag("reason", r)
                    .register(registry())));
  }

  private Counter dlqCounter(String reason) {
    return dlq.computeIfAbsent(
        reason,
        r ->
            own(
                Counter.builder("vae.scorer.dlq")
                    .description(
                        "Invalid input records sent to the dead-letter topic, when committed")
                    .baseUnit("records")
                    .tag("reason", r)
                    .register(registry())));
  }

  private static double percentile(Timer timer, double q) {
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      if (v.percentile() == q) {
        return v.value(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }

  private static double stepOf(LoadedModel m) {
    return m == null ? Double.NaN : m.step();
  }

  private static double adaptingOf(LoadedModel m) {
    if (m == null || m.drift() == null) {
      return Double.NaN;
    }
    return m.adapting() ? 1 : 0;
  }

  private static double thresholdOf(LoadedModel m) {
    return m == null || m.threshold().value().isEmpty()
        ? Double.NaN
        : m.threshold().value().getAsDouble();
  }

  /** One image scored (recorded at scoring time, committed or not). */
  void scored(double value, long latencyMs) {
    score.record(value);
    latency.record(latencyMs, TimeUnit.MILLISECONDS);
  }

  void batch(int size) {
    batchSize.record(size);
  }

  /** A transaction committed with these outputs, taking {@code nanos}. */
  void committed(long scoredImages, long flagged, Map<String, Long> dlqByReason, long nanos) {
    committed.increment();
    commitTime.record(nanos, TimeUnit.NANOSECONDS);
    images.increment(scoredImages);
    anomalies.increment(flagged);
    dlqByReason.forEach((reason, n) -> dlqCounter(reason).increment(n));
  }

  /** Of a committed transaction's flags, those raised while the model was adapting. */
  void committedAdapting(long flagged) {
    anomaliesAdapting.increment(flagged);
  }

  void aborted() {
    aborted.increment();
  }

  void swapped() {
    swaps.increment();
  }

  void rejected(String reason) {
    rejection(reason).increment();
  }

  /** Images committed so far (for health and progress lines). */
  long imagesScored() {
    return (long) images.count();
  }
}
