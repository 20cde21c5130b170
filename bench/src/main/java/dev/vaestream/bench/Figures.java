package dev.vaestream.bench;

import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percentiles and rounding for the JSON lines. */
final class Figures {
  private Figures() {}

  /**
   * Percentile {@code q} (0..1) of {@code values} as {@link Quantiles} defines it; NaN when empty.
   */
  static double percentile(double[] values, double q) {
    return Quantiles.of(values, q);
  }

  /** A sorted copy of {@code values}: sort once, then {@link #percentileOfSorted} per query. */
  static double[] sorted(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted;
  }

  /** As {@link #percentile} on an already sorted array. */
  static double percentileOfSorted(double[] sorted, double q) {
    return Quantiles.ofSorted(sorted, q);
  }

  /** p50, p99 and p99.9 of {@code values} as {@code {prefix}p50_ms} etc. */
  static Map<String, Object> latencyPercentiles(String prefix, double[] values) {
    double[] sorted = sorted(values);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(prefix + "p50_ms", round(percentileOfSorted(sorted, 0.5), 1));
    out.put(prefix + "p99_ms", round(percentileOfSorted(sorted, 0.99), 1));
    out.put(prefix + "p999_ms", round(percentileOfSorted(sorted, 0.999), 1));
    out.put(
        prefix + "max_ms", round(sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], 1));
    return out;
  }

  /** {@code v} rounded to {@code digits} decimals; NaN and infinities become null in JSON. */
  static Double round(double v, int digits) {
    if (!Double.isFinite(v)) {
      return null;
    }
    double scale = Math.pow(10, digits);
    return Math.round(v * scale) / scale;
  }

  /**
   * A target as a JSON object in the given order ({@code key, value, key, value...}); whole numbers
   * print without a fraction.
   */
  static Map<String, Object> target(Object... keysAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      Object v = keysAndValues[i + 1];
      if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
        v = d.longValue();
      }
      out.put((String) keysAndValues[i], v);
    }
    return out;
  }

  /** Rates are reported as whole numbers. */
  static long rate(double v) {
    return Math.round(v);
  }

  static double millis(long nanos) {
    return nanos / 1e6;
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
