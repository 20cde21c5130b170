package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.DriftMetadata;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.StepResult;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.trainer.drift.DriftSettings;
import dev.vaestream.trainer.drift.DriftState;
import dev.vaestream.trainer.drift.InputShiftDetector;
import dev.vaestream.trainer.drift.LossDriftDetector;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Online learning without Kafka: test-then-train on groups of exactly 32 incoming images.
 *
 * <p>Each group is first scored with the current model (the prequential loss: an honest learning
 * curve, since no image has been learned from yet). The poisoning guard then leaves out images
 * whose score exceeds the current threshold (a quantile of the recent prequential scores of every
 * valid image) and, below it, learns an image with a probability that falls with its rank among the
 * latest ink-normalised errors (the soft guard, {@link GuardSettings}); accepted images join a
 * pending buffer, and every 32 pending images make one Adam step. Groups are always 32 valid images
 * in stream order, so the sequence of steps depends only on the input order, never on poll timing:
 * that, plus the checkpointed pending buffer and both guard windows, makes recovery bit-exact.
 *
 * <p>Drift: each group's mean prequential loss goes to a {@link LossDriftDetector}. On a detected
 * sustained rise the guard re-baselines: its window is emptied and it learns every image until
 * {@code rebaselineImages} new scores are in, then guards at their quantile again. Without that,
 * every image of a changed stream scores above the old threshold and the guard refuses to learn the
 * change until its whole window has turned over. The detector's state is checkpointed too.
 *
 * <p>The test runs on {@link GroupScorer}, which uses a helper thread: {@link #close()} stops it.
 */
final class OnlineLearner implements AutoCloseable {
  static final int GROUP = VaeArchitecture.BATCH;
  private static final int PX = MnistDataset.PIXELS;

  /** Steps between threshold recomputations (sorting the window each step would cost ~5%). */
  static final int THRESHOLD_EVERY = 50;

  static final String META_GUARD_NEXT = "guard.next";
  static final String META_GUARD_COUNT = "guard.count";
  static final String META_THRESHOLD = "guard.threshold";
  static final String META_PENDING = "pending.images";
  static final String ARRAY_WINDOW = "guard.window";
  static final String META_SOFT_NEXT = "guard.soft.next";
  static final String META_SOFT_COUNT = "guard.soft.count";
  static final String ARRAY_SOFT_WINDOW = "guard.soft.window";
  static final String ARRAY_PENDING = "pending.pixels";
  static final String META_DRIFT = "drift.detector";
  static final String META_DRIFT_INPUT = "drift.input";
  static final String META_REBASELINING = "guard.rebaselining";

  /** Published for scorers: drift events the model has seen, images learned since the last. */
  public static final String META_DRIFT_EVENTS = DriftMetadata.EVENTS;

  public static final String META_DRIFT_IMAGES_SINCE = DriftMetadata.IMAGES_SINCE;

  /** What one group did. */
  record GroupResult(
      double meanLoss,
      double meanReconstruction,
      double meanKl,
      int skipped,
      int softSkipped,
      int steps,
      int rollbacks,
      double trainingLoss,
      LossDriftDetector.Detection drift,
      float[] scores,
      boolean[] learned,
      BatchScores batch) {}

  private final VaeModel model;
  private final GroupScorer scorer;
  private final GuardSettings guard;
  private final GuardWindow window;
  // What the soft guard ranks against: the latest ink-normalised errors (GuardSettings.softScore).
  private final GuardWindow softWindow;
  private final float[] pending = new float[2 * GROUP * PX];
  private int pendingCount;
  private double threshold = Double.POSITIVE_INFINITY;
  private final DriftSettings driftSettings;
  private LossDriftDetector drift;
  private boolean rebaselining;
  // The learning rate set from outside, while the adapting rate is in force (NaN otherwise).
  private double baseLearningRate = Double.NaN;

  OnlineLearner(VaeModel model, GuardSettings guard) {
    this(model, guard, DriftSettings.off());
  }

  OnlineLearner(VaeModel model, GuardSettings guard, DriftSettings driftSettings) {
    this.model = model;
    this.scorer = new GroupScorer(model, GroupScorer.helperWorthwhile());
    this.guard = guard;
    this.window = new GuardWindow(guard.windowSize());
    this.softWindow = new GuardWindow(guard.softWindow());
    this.driftSettings = driftSettings;
    this.drift = new LossDriftDetector(driftSettings);
  }

  DriftState driftState() {
    return drift.state();
  }

  LossDriftDetector driftDetector() {
    return drift;
  }

  VaeModel model() {
    return model;
  }

  /** The guard's current threshold; +inf while warming up or when the guard is off. */
  double threshold() {
    return threshold;
  }

  Calibration calibration() {
    return window.calibration();
  }

  int pendingCount() {
    return pendingCount;
  }

  /** Scores, guards and learns from {@code n == 32} images ({@code n * 784} values in [0, 1]). */
  GroupResult learn(float[] images, int n) {
    if (n != GROUP) {
      throw new IllegalArgumentException("groups are exactly " + GROUP + " images, got " + n);
    }
    BatchScores scores = scorer.score(images);
    double loss = 0;
    double recon = 0;
    double kl = 0;
    int skipped = 0;
    int softSkipped = 0;
    for (int i = 0; i < n; i++) {
      loss += scores.loss(i);
    }
    float[] groupScores = new float[n];
    for (int i = 0; i < n; i++) {
      groupScores[i] = (float) scores.mse(i);
    }
    // Ranks among the recent scores, for the detector's exceedance count.
    boolean ranked =
        window.count() >= Math.max(1, guard.warmup())
            && driftSettings.enabled()
            && driftSettings.cusumThreshold() > 0;
    int exceedances = -1;
    if (ranked) {
      exceedances = 0;
      for (float score : groupScores) {
        exceedances += rank(window, score) >= LossDriftDetector.EXCEED_RANK ? 1 : 0;
      }
    }
    // The soft guard's ranks, among the latest ink-normalised errors.
    float[] softScores = null;
    if (guard.enabled() && guard.soft()) {
      softScores = new float[n];
      for (int i = 0; i < n; i++) {
        softScores[i] = guard.softScore(groupScores[i], ink(images, i));
      }
    }
    double ink = drift.input().enabled() ? InputShiftDetector.ink(images, n) : Double.NaN;
    LossDriftDetector.Detection detection = drift.observe(loss / n, n, exceedances, ink);
    if (detection != null && guard.enabled()) {
      // Re-baseline: the old window describes a stream that no longer exists.
      window.clear();
      softWindow.clear();
      threshold = Double.POSITIVE_INFINITY;
      rebaselining = true;
    }
    boolean[] learned = new boolean[n];
    // Soft guard: off while the hard guard is off (warm-up, re-baselining) and while adapting to a
    // detected change, when the new regime is what must be learned.
    boolean soft =
        softScores != null
            && softWindow.count() >= Math.min(guard.softWindow(), Math.max(1, guard.warmup()))
            && !rebaselining
            && !drift.adapting();
    double[] softRanks = new double[n];
    if (soft) {
      // Ranked against the window as it was before this group, like the hard threshold.
      for (int i = 0; i < n; i++) {
        softRanks[i] = rank(softWindow, softScores[i]);
      }
    }
    for (int i = 0; i < n; i++) {
      recon += scores.reconstructionError()[i];
      kl += scores.kl()[i];
      float score = groupScores[i];
      // Every scored image enters the window, skipped ones too: a window of learned images only is
      // truncated at the threshold, so its p99 sits below the threshold and the guard ratchets down
      // (measured: 0.031 to 0.021 in five minutes, skipping 44% of the stream).
      window.add(score);
      if (softScores != null) {
        softWindow.add(softScores[i]);
      }
      if (guard.enabled() && score > threshold) {
        skipped++;
        continue;
      }
      if (soft && uniform(i, score) >= guard.acceptance(softRanks[i])) {
        skipped++;
        softSkipped++;
        continue;
      }
      System.arraycopy(images, i * PX, pending, pendingCount * PX, PX);
      pendingCount++;
      learned[i] = true;
    }
    if (rebaselining && window.count() >= driftSettings.rebaselineImages()) {
      threshold = window.quantile(guard.quantile());
      rebaselining = false;
    }
    int steps = 0;
    int rollbacks = 0;
    double trainingLoss = Double.NaN;
    adaptLearningRate();
    while (pendingCount >= GROUP) {
      StepResult r = model.trainStep(pending, 0, GROUP);
      trainingLoss = r.loss();
      if (r.applied()) {
        steps++;
        if (model.step() % THRESHOLD_EVERY == 0) {
          updateThreshold();
        }
      } else {
        rollbacks++;
      }
      // A rolled-back batch is dropped, not retried: retrying the same images would diverge again.
      System.arraycopy(pending, GROUP * PX, pending, 0, (pendingCount - GROUP) * PX);
      pendingCount -= GROUP;
    }
    scorer.prime();
    return new GroupResult(
        loss / n,
        recon / n,
        kl / n,
        skipped,
        softSkipped,
        steps,
        rollbacks,
        trainingLoss,
        detection,
        groupScores,
        learned,
        scores);
  }

  /**
   * While adapting to a detected change the learning rate is {@code adaptLearningRateFactor} times
   * its setting, and back to it afterwards. A function of the checkpointed detector state only, so
   * a restored learner steps with the same rate.
   */
  private void adaptLearningRate() {
    boolean boost = drift.adapting() && driftSettings.adaptLearningRateFactor() != 1;
    if (boost && Double.isNaN(baseLearningRate)) {
      baseLearningRate = model.learningRate();
      model.learningRate(baseLearningRate * driftSettings.adaptLearningRateFactor());
    } else if (!boost && !Double.isNaN(baseLearningRate)) {
      model.learningRate(baseLearningRate);
      baseLearningRate = Double.NaN;
    }
  }

  /**
   * The share of {@code w}'s scores below {@code score}. A pure function of the window, so nothing
   * extra needs checkpointing.
   */
  private static double rank(GuardWindow w, float score) {
    int count = w.count();
    return count == 0 ? 0 : (double) w.below(score) / count;
  }

  /** Image {@code i}'s ink: the sum of its 784 values. */
  private static float ink(float[] images, int i) {
    float sum = 0;
    for (int k = i * PX, end = k + PX; k < end; k++) {
      sum += images[k];
    }
    return sum;
  }

  /**
   * A uniform draw in [0, 1) for image {@code i} of the group: a hash of the model's step, the
   * pending count and the score, so a restored learner draws exactly the same.
   */
  private double uniform(int i, float score) {
    long h = mix64(model.step() * 0x9e3779b97f4a7c15L + (long) pendingCount * 64 + i);
    h = mix64(h ^ Float.floatToRawIntBits(score));
    return (h >>> 11) * 0x1.0p-53;
  }

  private static long mix64(long x) {
    long z = x + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Stops the scorer's helper thread. */
  @Override
  public void close() {
    scorer.close();
  }

  private void updateThreshold() {
    if (guard.enabled() && !rebaselining && window.count() >= guard.warmup()) {
      threshold = window.quantile(guard.quantile());
    }
  }

  /** Guard and pending state for a checkpoint's metadata. */
  Map<String, String> metadata() {
    Map<String, String> m = new HashMap<>();
    m.put(META_GUARD_NEXT, Integer.toString(window.nextIndex()));
    m.put(META_GUARD_COUNT, Integer.toString(window.count()));
    m.put(META_THRESHOLD, Double.toString(threshold));
    m.put(META_PENDING, Integer.toString(pendingCount));
    m.put(META_SOFT_NEXT, Integer.toString(softWindow.nextIndex()));
    m.put(META_SOFT_COUNT, Integer.toString(softWindow.count()));
    m.put(META_DRIFT, drift.serialise());
    m.put(META_DRIFT_INPUT, drift.inputState());
    m.put(META_REBASELINING, rebaselining ? "1" : "0");
    m.put(META_DRIFT_EVENTS, Long.toString(drift.detections()));
    m.put(META_DRIFT_IMAGES_SINCE, Long.toString(drift.imagesSinceDetection()));
    m.put(DriftMetadata.ADAPT_IMAGES, Long.toString(driftSettings.adaptImages()));
    return m;
  }

  /** Guard window and pending images for a checkpoint's arrays. */
  Map<String, float[]> arrays() {
    return Map.of(
        ARRAY_WINDOW,
        window.ring(),
        ARRAY_SOFT_WINDOW,
        softWindow.ring(),
        ARRAY_PENDING,
        Arrays.copyOf(pending, pendingCount * PX));
  }

  /** Restores the state written by {@link #metadata()} and {@link #arrays()}. */
  void restore(Map<String, String> metadata, Map<String, float[]> arrays) {
    if (!metadata.containsKey(META_PENDING)) {
      return; // an offline checkpoint: fresh guard state
    }
    window.restore(
        arrays.get(ARRAY_WINDOW),
        Integer.parseInt(metadata.get(META_GUARD_NEXT)),
        Integer.parseInt(metadata.get(META_GUARD_COUNT)));
    threshold = Double.parseDouble(metadata.get(META_THRESHOLD));
    // Checkpoints from before the soft guard's own window have none: it fills again (and the soft
    // guard waits for it, as during warm-up). One of another size is not restored either.
    float[] soft = arrays.get(ARRAY_SOFT_WINDOW);
    if (soft != null && soft.length == guard.softWindow() && metadata.containsKey(META_SOFT_NEXT)) {
      softWindow.restore(
          soft,
          Integer.parseInt(metadata.get(META_SOFT_NEXT)),
          Integer.parseInt(metadata.get(META_SOFT_COUNT)));
    }
    // Checkpoints before format version 2 have no detector: it starts afresh (and warms up again).
    String driftState = metadata.get(META_DRIFT);
    drift =
        driftState == null
            ? new LossDriftDetector(driftSettings)
            : LossDriftDetector.fromState(
                driftSettings, driftState, metadata.get(META_DRIFT_INPUT));
    rebaselining = "1".equals(metadata.get(META_REBASELINING));
    int count = Integer.parseInt(metadata.get(META_PENDING));
    float[] p = arrays.get(ARRAY_PENDING);
    // A checkpoint that passed its checksum may still come from something other than a trainer.
    if (count < 0 || count >= GROUP || p == null || p.length != count * PX) {
      throw new IllegalArgumentException(
          "pending batch of "
              + count
              + " images does not match its "
              + (p == null ? 0 : p.length)
              + " stored values");
    }
    pendingCount = count;
    System.arraycopy(p, 0, pending, 0, p.length);
  }
}
