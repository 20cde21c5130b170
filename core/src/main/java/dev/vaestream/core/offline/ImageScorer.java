package dev.vaestream.core.offline;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import java.util.function.IntFunction;

/** Scores many images in batches, because one forward pass per image is ~20x slower in DL4J. */
public final class ImageScorer {
  /** Batch size for offline scoring. */
  public static final int BATCH = 500;

  private ImageScorer() {}

  /** Per-image results for {@code count} images, each given as 784 unsigned bytes. */
  public static Scored score(VaeModel model, int count, IntFunction<byte[]> image) {
    double[] mse = new double[count];
    double[] recon = new double[count];
    double[] kl = new double[count];
    float[] buffer = new float[BATCH * MnistDataset.PIXELS];
    for (int start = 0; start < count; start += BATCH) {
      int n = Math.min(BATCH, count - start);
      for (int i = 0; i < n; i++) {
        byte[] px = image.apply(start + i);
        int off = i * MnistDataset.PIXELS;
        for (int p = 0; p < MnistDataset.PIXELS; p++) {
          buffer[off + p] = (px[p] & 0xff) / 255f;
        }
      }
      BatchScores s = model.score(buffer, n);
      for (int i = 0; i < n; i++) {
        mse[start + i] = s.mse(i);
        recon[start + i] = s.reconstructionError()[i];
        kl[start + i] = s.kl()[i];
      }
    }
    return new Scored(mse, recon, kl);
  }

  /** Per-image scores: anomaly score (per-pixel MSE), summed squared error, KL. */
  public record Scored(double[] mse, double[] reconstruction, double[] kl) {
    public double meanMse() {
      return mean(mse);
    }

    public double meanReconstruction() {
      return mean(reconstruction);
    }

    public double meanKl() {
      return mean(kl);
    }

    private static double mean(double[] v) {
      double s = 0;
      for (double x : v) {
        s += x;
      }
      return v.length == 0 ? Double.NaN : s / v.length;
    }
  }
}
