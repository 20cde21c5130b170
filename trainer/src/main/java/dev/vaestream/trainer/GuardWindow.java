package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;

/**
 * A ring of the most recent prequential scores (per-pixel MSE) of valid images. It calibrates the
 * anomaly threshold that checkpoints carry and that the poisoning guard applies. Its contents are
 * checkpointed, so a restored trainer guards exactly as an uninterrupted one would.
 */
final class GuardWindow {
  private final float[] ring;
  private int next;
  private int count;

  GuardWindow(int capacity) {
    this.ring = new float[capacity];
  }

  void add(float score) {
    ring[next] = score;
    next = (next + 1) % ring.length;
    if (count < ring.length) {
      count++;
    }
  }

  /** Forgets every score (a re-baseline after a detected drift). */
  void clear() {
    java.util.Arrays.fill(ring, 0f);
    next = 0;
    count = 0;
  }

  int count() {
    return count;
  }

  /** The scores in the window (unordered copy). */
  float[] values() {
    return Arrays.copyOf(count == ring.length ? ring : Arrays.copyOf(ring, count), count);
  }

  Calibration calibration() {
    return Calibration.of(values(), count);
  }

  /** Linear-interpolated quantile {@code q} of the window, NaN when empty. */
  double quantile(double q) {
    float[] v = values();
    Arrays.sort(v);
    return Quantiles.ofSorted(v, q);
  }

  /** The raw ring for checkpoints: capacity values, then restored with {@link #restore}. */
  float[] ring() {
    return ring.clone();
  }

  /** The raw ring, not copied: the first {@link #count()} values are the window. */
  float[] ringView() {
    return ring;
  }

  int nextIndex() {
    return next;
  }

  void restore(float[] values, int nextIndex, int count) {
    if (values.length != ring.length) {
      throw new IllegalArgumentException(
          "guard window of " + values.length + " values, expected " + ring.length);
    }
    if (nextIndex < 0 || nextIndex >= ring.length || count < 0) {
      throw new IllegalArgumentException(
          "guard window position " + nextIndex + " and count " + count + " out of range");
    }
    System.arraycopy(values, 0, ring, 0, ring.length);
    this.next = nextIndex;
    this.count = count;
  }
}
