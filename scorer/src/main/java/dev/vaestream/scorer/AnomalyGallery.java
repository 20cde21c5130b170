package dev.vaestream.scorer;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.ReconstructionGrid;
import dev.vaestream.core.record.ScoreRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The most recently flagged images, for {@code /anomalies.png}: originals on top, their
 * reconstructions below, and the per-pixel absolute error as a heatmap (white = large error) at the
 * bottom, newest first.
 *
 * <p>Bounded: it keeps {@code capacity} images and copies only the last {@code capacity} flagged
 * images of each batch, so a low threshold does not cost the scoring thread much. The scoring
 * thread's forward pass does not return reconstructions (copying all of them out was a quarter of
 * its time): the gallery recomputes the few it keeps, with the model that scored them, in one small
 * pass when the picture is next rendered, or when a new model arrives, so that it never holds more
 * than one model. Thread-safe: the scoring thread offers, the HTTP thread renders ({@link
 * VaeModel#score(float[], int, boolean)} lets the two take turns on one model).
 */
public final class AnomalyGallery {
  private static final int PIXELS = MnistDataset.PIXELS;
  private static final int SCALE = 3;

  private final int capacity;
  private final Deque<Entry> entries;
  private byte[] png;
  // The model that scored the entries without a reconstruction yet; null when there are none.
  private VaeModel pendingModel;

  private static final class Entry {
    final float[] original;
    float[] reconstruction;

    Entry(float[] original) {
      this.original = original;
    }
  }

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
        newest[taken++] =
            new Entry(Arrays.copyOfRange(batch.pixels(), i * PIXELS, (i + 1) * PIXELS));
      }
    }
    if (taken == 0) {
      return;
    }
    synchronized (this) {
      if (pendingModel != null && pendingModel != batch.model()) {
        reconstructPending();
      }
      // newest[0] is the newest of the batch: add oldest first so it ends up at the front.
      for (int k = taken - 1; k >= 0; k--) {
        entries.addFirst(newest[k]);
        if (entries.size() > capacity) {
          entries.removeLast();
        }
      }
      pendingModel = batch.model();
      png = null;
    }
  }

  /** Reconstructs the entries that have no reconstruction yet, in one forward pass. */
  private void reconstructPending() {
    if (pendingModel == null) {
      return;
    }
    List<Entry> pending = new ArrayList<>(capacity);
    for (Entry e : entries) {
      if (e.reconstruction == null) {
        pending.add(e);
      }
    }
    if (!pending.isEmpty()) {
      float[] originals = new float[pending.size() * PIXELS];
      for (int i = 0; i < pending.size(); i++) {
        System.arraycopy(pending.get(i).original, 0, originals, i * PIXELS, PIXELS);
      }
      float[] recon = pendingModel.score(originals, pending.size(), true).reconstructions();
      // With ND4J ops (not the CPU path) that pass left a workspace for this thread and model.
      BatchScorer.releaseThreadScratch();
      for (int i = 0; i < pending.size(); i++) {
        pending.get(i).reconstruction = Arrays.copyOfRange(recon, i * PIXELS, (i + 1) * PIXELS);
      }
    }
    pendingModel = null;
  }

  /** The reconstructions of the images held, newest first (computed now if need be). */
  synchronized List<float[]> reconstructions() {
    reconstructPending();
    List<float[]> out = new ArrayList<>(entries.size());
    entries.forEach(e -> out.add(e.reconstruction));
    return out;
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
      reconstructPending();
      int n = entries.size();
      float[] originals = new float[n * PIXELS];
      float[] reconstructions = new float[n * PIXELS];
      float[] errors = new float[n * PIXELS];
      int i = 0;
      for (Entry e : entries) {
        System.arraycopy(e.original, 0, originals, i * PIXELS, PIXELS);
        System.arraycopy(e.reconstruction, 0, reconstructions, i * PIXELS, PIXELS);
        for (int p = 0; p < PIXELS; p++) {
          errors[i * PIXELS + p] = Math.abs(e.original[p] - e.reconstruction[p]);
        }
        i++;
      }
      png = ReconstructionGrid.png(1, capacity, SCALE, originals, reconstructions, errors);
    }
    return png;
  }
}
