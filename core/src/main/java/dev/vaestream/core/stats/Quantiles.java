package dev.vaestream.core.stats;

import java.util.Arrays;

/**
 * The one definition of a quantile in this code base: linear interpolation between the closest
 * ranks, at position {@code p * (n - 1)} of the sorted values (Hyndman and Fan's type 7, the
 * default of R, NumPy and Excel's PERCENTILE.INC). Checkpoint calibrations, the trainer's poisoning
 * guard, the statistics' histogram estimate and the benchmarks' percentiles all use it.
 */
public final class Quantiles {
  private Quantiles() {}

  /** Quantile {@code p} (0..1) of ascending {@code sorted}; NaN when empty. */
  public static double ofSorted(float[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = position(p, sorted.length);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Quantile {@code p} (0..1) of ascending {@code sorted}; NaN when empty. */
  public static double ofSorted(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = position(p, sorted.length);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Quantile {@code p} of {@code values} in any order ({@code values} is not modified). */
  public static double of(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return ofSorted(sorted, p);
  }

  /**
   * The fractional rank of quantile {@code p} among {@code n} sorted values, 0 to {@code n - 1}.
   *
   * @throws IllegalArgumentException if {@code p} is not in [0, 1]
   */
  public static double position(double p, long n) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("quantile " + p + " is not in [0, 1]");
    }
    return p * (n - 1);
  }
}
