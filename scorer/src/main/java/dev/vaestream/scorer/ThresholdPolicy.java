package dev.vaestream.scorer;

import dev.vaestream.core.checkpoint.Calibration;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * How the anomaly threshold is chosen for a model: a fixed value ({@code --threshold}) or a
 * quantile of the checkpoint's own calibration ({@code --threshold-quantile}, default p99).
 *
 * <p>Why per checkpoint: the score distribution shifts as the model trains, so a threshold is only
 * meaningful for the model it was calibrated with. A checkpoint without calibration gets no
 * threshold (scores are still emitted, with {@code threshold: null} and {@code anomaly: false})
 * unless a fixed threshold is configured.
 *
 * @param fixed the fixed threshold, or null to use the calibration
 * @param quantile the calibration quantile used when {@code fixed} is null
 */
public record ThresholdPolicy(Double fixed, double quantile) {
  /** The default: the calibration's 99th percentile. */
  public static final double DEFAULT_QUANTILE = 0.99;

  /** Validates; messages name the flag to fix. */
  public ThresholdPolicy {
    if (fixed != null && !(Double.isFinite(fixed) && fixed >= 0)) {
      throw new IllegalArgumentException("--threshold must be a finite number >= 0, got " + fixed);
    }
    if (fixed == null && !isStandardQuantile(quantile)) {
      throw new IllegalArgumentException(
          "--threshold-quantile "
              + quantile
              + " is not a calibrated quantile; checkpoints carry "
              + standardQuantiles());
    }
  }

  /** The default policy: the calibration's p99. */
  public static ThresholdPolicy defaults() {
    return new ThresholdPolicy(null, DEFAULT_QUANTILE);
  }

  /** A fixed threshold, whatever the checkpoint's calibration says. */
  public static ThresholdPolicy fixed(double value) {
    return new ThresholdPolicy(value, DEFAULT_QUANTILE);
  }

  /** The calibration's value of {@code quantile}, which must be one checkpoints carry. */
  public static ThresholdPolicy quantile(double quantile) {
    return new ThresholdPolicy(null, quantile);
  }

  /** The threshold for a model calibrated with {@code calibration}. */
  public Threshold resolve(Calibration calibration) {
    if (fixed != null) {
      return new Threshold(OptionalDouble.of(fixed), "fixed");
    }
    String name = quantileName(quantile);
    if (calibration == null || !calibration.isCalibrated()) {
      return new Threshold(OptionalDouble.empty(), "none (checkpoint not calibrated)");
    }
    OptionalDouble value = calibration.quantile(quantile);
    if (value.isEmpty() || !Double.isFinite(value.getAsDouble())) {
      return new Threshold(OptionalDouble.empty(), "none (calibration lacks " + name + ")");
    }
    return new Threshold(value, "calibration " + name);
  }

  /** Describes the policy for logs, e.g. {@code calibration p99} or {@code fixed 0.05}. */
  public String describe() {
    return fixed != null ? "fixed " + fixed : "calibration " + quantileName(quantile);
  }

  static boolean isStandardQuantile(double q) {
    for (double s : Calibration.STANDARD_QUANTILES) {
      if (s == q) {
        return true;
      }
    }
    return false;
  }

  static String standardQuantiles() {
    return Arrays.stream(Calibration.STANDARD_QUANTILES)
        .mapToObj(Double::toString)
        .collect(Collectors.joining(", "));
  }

  /** {@code 0.99} as {@code p99}, {@code 0.999} as {@code p99.9}. */
  static String quantileName(double q) {
    String digits = java.math.BigDecimal.valueOf(q * 100).stripTrailingZeros().toPlainString();
    return "p" + digits;
  }

  /**
   * A model's threshold and where it came from.
   *
   * @param value the threshold; empty when the model does not flag anomalies
   * @param source e.g. {@code calibration p99}, {@code fixed}, {@code none (...)}
   */
  public record Threshold(OptionalDouble value, String source) {
    /** Whether {@code score} is an anomaly under this threshold (never, without a threshold). */
    public boolean flags(double score) {
      return value.isPresent() && score > value.getAsDouble();
    }
  }
}
