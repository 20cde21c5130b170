package dev.vaestream.core.checkpoint;

import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Anomaly-threshold calibration carried by a checkpoint: quantiles of recent per-pixel
 * reconstruction errors (the anomaly score) on learned images, and how many errors they came from.
 *
 * @param count number of errors the quantiles were computed from (0: not calibrated yet)
 * @param quantiles quantile (e.g. 0.99) to score value
 */
public record Calibration(long count, Map<Double, Double> quantiles) {
  /** The quantiles every checkpoint carries. */
  public static final double[] STANDARD_QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.999};

  public Calibration {
    quantiles = Collections.unmodifiableMap(new TreeMap<>(quantiles));
  }

  /** No calibration (e.g. an offline checkpoint before any evaluation). */
  public static Calibration none() {
    return new Calibration(0, Map.of());
  }

  /** Calibration from raw scores; {@code scores} is not modified. */
  public static Calibration of(float[] scores, int n) {
    if (n == 0) {
      return none();
    }
    float[] sorted = Arrays.copyOf(scores, n);
    Arrays.sort(sorted);
    Map<Double, Double> q = new TreeMap<>();
    for (double p : STANDARD_QUANTILES) {
      q.put(p, Quantiles.ofSorted(sorted, p));
    }
    return new Calibration(n, q);
  }

  public boolean isCalibrated() {
    return count > 0 && !quantiles.isEmpty();
  }

  /** The value of quantile {@code q}, if this calibration has it. */
  public java.util.OptionalDouble quantile(double q) {
    Double v = quantiles.get(q);
    return v == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(v);
  }
}
