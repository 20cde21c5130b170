package dev.vaestream.scorer.stats;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.metrics.OwnedMeterBinder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of the latest closed statistics window ({@code vae.scorer.stats.*}), so dashboards and
 * alerts need not read {@code anomaly.stats}. Every gauge is NaN until the first window closes, and
 * the ground-truth ones are NaN for a window without injected anomalies. Kind tags are the known
 * anomaly kinds plus {@code all}: a fixed, small set. A Micrometer binder: {@link #close()} removes
 * the gauges. Thread-safe.
 */
public final class StatsMetrics extends OwnedMeterBinder
    implements java.util.function.Consumer<StatsTopology.ClosedWindow> {
  static final String ALL_KINDS = "all";

  private final AtomicReference<StatsTopology.ClosedWindow> latest = new AtomicReference<>();

  @Override
  protected void register(MeterRegistry registry) {
    gauge(
        registry,
        "vae.scorer.stats.images",
        "Images scored in the latest closed window",
        "images",
        s -> s.count());
    gauge(
        registry,
        "vae.scorer.stats.anomaly.rate",
        "Fraction of images flagged in the latest closed window",
        "ratio",
        WindowStats::anomalyRate);
    own(
        Gauge.builder(
                "vae.scorer.stats.anomaly.rate.model",
                latest,
                r -> value(r, WindowStats::adaptingAnomalyRate))
            .description(
                "Fraction of images flagged in the latest closed window, by the model's drift"
                    + " state: adapting to a detected drift, or settled (NaN when none)")
            .baseUnit("ratio")
            .tag("model", "adapting")
            .register(registry));
    own(
        Gauge.builder(
                "vae.scorer.stats.anomaly.rate.model",
                latest,
                r -> value(r, WindowStats::settledAnomalyRate))
            .description(
                "Fraction of images flagged in the latest closed window, by the model's drift"
                    + " state: adapting to a detected drift, or settled (NaN when none)")
            .baseUnit("ratio")
            .tag("model", "settled")
            .register(registry));
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      own(
          Gauge.builder("vae.scorer.stats.score", latest, r -> value(r, s -> s.quantile(q)))
              .description("Score quantile of the latest closed window (from its histogram)")
              .baseUnit("score")
              .tag("quantile", Double.toString(q))
              .register(registry));
    }
    gauge(
        registry,
        "vae.scorer.stats.auroc",
        "AUROC of the score, injected anomalies against real digits, latest closed window",
        "ratio",
        WindowStats::auroc);
    List<String> kinds = new ArrayList<>();
    kinds.add(ALL_KINDS);
    for (AnomalyKind k : AnomalyKind.values()) {
      kinds.add(k.wireName());
    }
    for (String kind : kinds) {
      boolean all = ALL_KINDS.equals(kind);
      own(
          Gauge.builder(
                  "vae.scorer.stats.precision",
                  latest,
                  r -> value(r, s -> all ? s.precision() : s.precision(kind)))
              .description(
                  "Precision of the anomaly flag in the latest closed window (per kind:"
                      + " against real digits only)")
              .baseUnit("ratio")
              .tag("kind", kind)
              .register(registry));
      own(
          Gauge.builder(
                  "vae.scorer.stats.recall",
                  latest,
                  r -> value(r, s -> all ? s.recall() : s.recall(kind)))
              .description("Recall of the anomaly flag on injected anomalies, latest closed window")
              .baseUnit("ratio")
              .tag("kind", kind)
              .register(registry));
    }
    own(
        TimeGauge.builder(
                "vae.scorer.stats.window.end",
                latest,
                TimeUnit.MILLISECONDS,
                r -> r.get() == null ? Double.NaN : r.get().end())
            .description("End of the latest closed window, epoch time (staleness check)")
            .register(registry));
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      String unit,
      ToDoubleFunction<WindowStats> f) {
    own(
        Gauge.builder(name, latest, r -> value(r, f))
            .description(description)
            .baseUnit(unit)
            .register(registry));
  }

  private static double value(
      AtomicReference<StatsTopology.ClosedWindow> ref, ToDoubleFunction<WindowStats> f) {
    StatsTopology.ClosedWindow w = ref.get();
    return w == null ? Double.NaN : f.applyAsDouble(w.stats());
  }

  /** The latest closed window, or null. */
  public StatsTopology.ClosedWindow latest() {
    return latest.get();
  }

  /** Called by the topology for each closed window; later windows replace earlier ones. */
  @Override
  public void accept(StatsTopology.ClosedWindow window) {
    latest.accumulateAndGet(
        window, (old, next) -> old == null || next.end() >= old.end() ? next : old);
  }
}
