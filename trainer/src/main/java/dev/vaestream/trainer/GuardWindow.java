package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;

/**
 * A ring of the most recent prequential scores (per-pixel MSE) of valid images. It calibrates the
 * anomaly threshold that checkpoints carry and that the poisoning guard applies. Its contents are
 * checkpointed, so a restored trainer guards exactly as an uninterrupted one would.
 *
 * <p>Beside the ring it keeps the same scores in ascending order (NaN last), updated as scores come
 * and go, so that ranks ({@link #below}) and quantiles cost a binary search instead of a pass over
 * the whole window: ranking each group against the 10,000 scores was 28% of the trainer's loop
 * (JFR, {@code bench --only train_stream}). The order is derived, not checkpointed.
 */
final class GuardWindow {
  private final float[] ring;
  private final float[] sorted;
  private int next;
  private int count;
  // Entries in sorted: count, except between evicting a score and inserting its successor.
  private int sortedSize;

  GuardWindow(int capacity) {
    this.ring = new float[capacity];
    this.sorted = new float[capacity];
  }

  void add(float score) {
    if (count == ring.length) {
      removeSorted(ring[next]);
    }
    insertSorted(score);
    ring[next] = score;
    next = (next + 1) % ring.length;
    if (count < ring.length) {
      count++;
    }
  }

  /** How many scores in the window are below {@code score} (NaN scores never are). */
  int below(float score) {
    return lowerBound(score);
  }

  /** The first position in the ascending scores whose value is not below {@code v}. */
  private int lowerBound(float v) {
    int lo = 0;
    int hi = sortedSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void insertSorted(float v) {
    int i = Float.isNaN(v) ? sortedSize : lowerBound(v);
    System.arraycopy(sorted, i, sorted, i + 1, sortedSize - i);
    sorted[i] = v;
    sortedSize++;
  }

  /** Removes one score equal to {@code v}, which must be in the window. */
  private void removeSorted(float v) {
    int i = Float.isNaN(v) ? sortedSize - 1 : lowerBound(v);
    System.arraycopy(sorted, i + 1, sorted, i, sortedSize - i - 1);
    sortedSize--;
  }

  /** Forgets every score (a re-baseline after a detected drift). */
  void clear() {
    java.util.Arrays.fill(ring, 0f);
    next = 0;
    count = 0;
    sortedSize = 0;
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
    return Quantiles.ofSorted(Arrays.copyOf(sorted, count), q);
  }

  /** The raw ring for checkpoints: capacity values, then restored with {@link #restore}. */
  float[] ring() {
    return ring.clone();
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
    float[] v = values();
    Arrays.sort(v);
    System.arraycopy(v, 0, sorted, 0, v.length);
    sortedSize = v.length;
  }
}
