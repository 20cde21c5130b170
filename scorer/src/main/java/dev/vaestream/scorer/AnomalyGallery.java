package dev.vaestream.scorer;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.offline.ReconstructionGrid;
import dev.vaestream.core.record.ScoreRecord;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The most recently flagged images, for {@code /anomalies.png}: originals on top, their
 * reconstructions below, and the per-pixel absolute error as a heatmap (white = large error) at the
 * bottom, newest first.
 *
 * <p>Bounded: it keeps {@code capacity} images and copies only the last {@code capacity} flagged
 * images of each batch, so a low threshold does not cost the scoring thread much. Thread-safe: the
 * scoring thread offers, the HTTP thread renders.
 */
public final class AnomalyGallery {
  private static final int PIXELS = MnistDataset.PIXELS;
  private static final int SCALE = 3;

  private final int capacity;
  private final Deque<Entry> entries;
  private byte[] png;

  private record Entry(float[] original, float[] reconstruction) {}

  public AnomalyGallery(int capacity) {
    this.capacity = capacity;
    this.entries = new ArrayDeque<>(capacity);
  }

  /** Takes the flagged images of a scored batch (see {@link BatchScorer.Result}). */
  void offer(BatchScorer.Result batch) {
    List<ScoreRecord> records = batch.records();
    int taken = 0;
    Entry[] newest = new Entry[capacity];
    for (int i = records.size() - 1; i >= 0 && taken < capacity; i--) {
      if (records.get(i).anomaly()) {
        newest[taken++] = entry(batch, i);
      }
    }
    if (taken == 0) {
      return;
    }
    synchronized (this) {
      // newest[0] is the newest of the batch: add oldest first so it ends up at the front.
      for (int k = taken - 1; k >= 0; k--) {
        entries.addFirst(newest[k]);
        if (entries.size() > capacity) {
          entries.removeLast();
        }
      }
      png = null;
    }
  }

  private static Entry entry(BatchScorer.Result batch, int i) {
    float[] original = new float[PIXELS];
    float[] reconstruction = new float[PIXELS];
    System.arraycopy(batch.pixels(), i * PIXELS, original, 0, PIXELS);
    System.arraycopy(batch.reconstructions(), i * PIXELS, reconstruction, 0, PIXELS);
    return new Entry(original, reconstruction);
  }

  /** Number of images held. */
  public synchronized int size() {
    return entries.size();
  }

  /** The PNG, or null before the first anomaly; rendered once per change. */
  public synchronized byte[] png() {
    if (entries.isEmpty()) {
      return null;
    }
    if (png == null) {
      int n = entries.size();
      float[] originals = new float[n * PIXELS];
      float[] reconstructions = new float[n * PIXELS];
      float[] errors = new float[n * PIXELS];
      int i = 0;
      for (Entry e : entries) {
        System.arraycopy(e.original(), 0, originals, i * PIXELS, PIXELS);
        System.arraycopy(e.reconstruction(), 0, reconstructions, i * PIXELS, PIXELS);
        for (int p = 0; p < PIXELS; p++) {
          errors[i * PIXELS + p] = Math.abs(e.original()[p] - e.reconstruction()[p]);
        }
        i++;
      }
      png = ReconstructionGrid.png(1, capacity, SCALE, originals, reconstructions, errors);
    }
    return png;
  }
}
