package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.trainer.drift.DriftSettings;
import dev.vaestream.trainer.drift.DriftState;
import dev.vaestream.trainer.drift.LossDriftDetector;
import java.util.List;

/**
 * The trainer's learner without Kafka, for benchmarks and experiments: the same test-then-train,
 * guard and drift handling as the service, group by group, with in-memory snapshots so that several
 * arms can continue one stream from the same state.
 */
public final class StreamLearner implements AutoCloseable {
  /**
   * What one group of 32 did: per-image prequential scores, whether each was learned, and the drift
   * detection it completed (null if none).
   */
  public record Group(
      double meanLoss,
      float[] scores,
      boolean[] learned,
      LossDriftDetector.Detection detection,
      double threshold,
      BatchScores batch) {

    public boolean detected() {
      return detection != null;
    }
  }

  public static final int GROUP = OnlineLearner.GROUP;

  private final OnlineLearner learner;

  private StreamLearner(OnlineLearner learner) {
    this.learner = learner;
  }

  /** A new model from {@code seed}. */
  public static StreamLearner create(long seed, GuardSettings guard, DriftSettings drift) {
    return new StreamLearner(new OnlineLearner(VaeModel.create(seed), guard, drift));
  }

  /** The complete learning state, in memory (as a checkpoint would carry it). */
  public Checkpoint snapshot() {
    return Checkpoint.of(
        learner.model(), List.of(), learner.calibration(), learner.metadata(), learner.arrays());
  }

  /** A learner continuing from {@code snapshot}, with these (possibly other) settings. */
  public static StreamLearner restore(
      Checkpoint snapshot, GuardSettings guard, DriftSettings drift) {
    OnlineLearner l = new OnlineLearner(snapshot.toModel(), guard, drift);
    l.restore(snapshot.metadata(), snapshot.arrays());
    return new StreamLearner(l);
  }

  /** Tests then learns {@value #GROUP} images ({@code 32 * 784} values in [0, 1]). */
  public Group learn(float[] images) {
    OnlineLearner.GroupResult r = learner.learn(images, GROUP);
    return new Group(
        r.meanLoss(), r.scores(), r.learned(), r.drift(), learner.threshold(), r.batch());
  }

  /** Only tests {@code images} with the current model: a frozen model's scores. */
  public Group score(float[] images) {
    BatchScores s = learner.model().score(images, GROUP);
    float[] scores = new float[GROUP];
    double loss = 0;
    for (int i = 0; i < GROUP; i++) {
      scores[i] = (float) s.mse(i);
      loss += s.loss(i);
    }
    return new Group(loss / GROUP, scores, new boolean[GROUP], null, learner.threshold(), s);
  }

  /** Quantile {@code q} of the guard window's recent scores (what checkpoints calibrate with). */
  public double calibrated(double q) {
    Double v = learner.calibration().quantiles().get(q);
    return v == null ? Double.NaN : v;
  }

  public DriftState driftState() {
    return learner.driftState();
  }

  @Override
  public void close() {
    learner.close();
  }
}
