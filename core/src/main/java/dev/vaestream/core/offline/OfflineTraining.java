package dev.vaestream.core.offline;

import dev.vaestream.core.cli.Progress;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.StepResult;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;

/**
 * The offline reference loop: epochs over a dataset in seeded shuffled order, one Adam step per
 * mini-batch of 32. Its position is derived from the model's step count, so a model restored from a
 * checkpoint continues with exactly the batch an uninterrupted run would have used next.
 */
public final class OfflineTraining {
  /** Steps over which {@link Result#finalLoss()} is averaged. */
  static final int FINAL_LOSS_WINDOW = 100;

  private final MnistDataset data;
  private final long seed;

  /**
   * @param data the training images
   * @param seed seeds the shuffle order (the model has its own seed for init and noise)
   */
  public OfflineTraining(MnistDataset data, long seed) {
    this.data = data;
    this.seed = seed;
  }

  /** Result of a run. */
  public record Result(long images, double seconds, double finalLoss, long rollbacks) {
    public double imagesPerSec() {
      return seconds > 0 ? images / seconds : 0;
    }
  }

  /** Steps per epoch (the remainder of a split that does not fill a batch is dropped). */
  public int stepsPerEpoch() {
    return data.size() / VaeArchitecture.BATCH;
  }

  /** Trains {@code model} until it has completed {@code epochs} epochs in total. */
  public Result trainUntilEpochs(VaeModel model, int epochs, Progress progress) {
    return trainUntilStep(model, (long) epochs * stepsPerEpoch(), progress);
  }

  /** Trains {@code model} until its step count reaches {@code targetStep}. */
  public Result trainUntilStep(VaeModel model, long targetStep, Progress progress) {
    int batch = VaeArchitecture.BATCH;
    int perEpoch = stepsPerEpoch();
    float[] buffer = new float[batch * MnistDataset.PIXELS];
    double[] recent = new double[FINAL_LOSS_WINDOW];
    int recentCount = 0;
    long startStep = model.step();
    long startRollbacks = model.rollbacks();
    long t0 = System.nanoTime();
    int[] order = null;
    long orderEpoch = -1;
    while (model.step() < targetStep) {
      long step = model.step();
      long epoch = step / perEpoch;
      if (epoch != orderEpoch) {
        order = Shuffle.permutation(data.size(), seed, epoch);
        orderEpoch = epoch;
      }
      int first = (int) (step % perEpoch) * batch;
      for (int i = 0; i < batch; i++) {
        data.copyScaled(order[first + i], buffer, i * MnistDataset.PIXELS);
      }
      StepResult r = model.trainStep(buffer, 0, batch);
      if (!r.applied()) {
        throw new IllegalStateException(
            "training diverged at step " + step + " (loss " + r.loss() + "); rolled back");
      }
      recent[recentCount++ % FINAL_LOSS_WINDOW] = r.loss();
      if (progress != null) {
        final long done = model.step() - startStep;
        final long total = targetStep - startStep;
        final double loss = mean(recent, recentCount);
        progress.update(
            () -> {
              double secs = (System.nanoTime() - t0) / 1e9;
              double rate = done * batch / secs;
              return String.format(
                  "%s epoch %d  %.0f images/s  loss %.2f  ETA %s",
                  Progress.bar((double) done / total, 30),
                  epoch + 1,
                  rate,
                  loss,
                  Progress.duration((total - done) * batch / rate));
            });
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Result(
        (model.step() - startStep) * batch,
        seconds,
        mean(recent, recentCount),
        model.rollbacks() - startRollbacks);
  }

  private static double mean(double[] ring, int count) {
    int n = Math.min(count, ring.length);
    if (n == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += ring[i];
    }
    return s / n;
  }
}
