package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.VaeModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnlineLearnerTest {
  private static MnistDataset train;

  @BeforeAll
  static void load() {
    train = MnistDataset.bundled(MnistSplit.TRAIN);
  }

  static float[] group(int first, AnomalyKind kind) {
    float[] out = new float[32 * 784];
    for (int i = 0; i < 32; i++) {
      byte[] px = train.image(first + i);
      if (kind != null) {
        px = kind.apply(px, first + i);
      }
      for (int p = 0; p < 784; p++) {
        out[i * 784 + p] = (px[p] & 0xff) / 255f;
      }
    }
    return out;
  }

  @Test
  void takesOneStepPerThirtyTwoLearnedImages() {
    try (OnlineLearner l =
        new OnlineLearner(VaeModel.create(1), new GuardSettings(false, 0.99, 100, 1000))) {
      for (int g = 0; g < 5; g++) {
        OnlineLearner.GroupResult r = l.learn(group(32 * g, null), 32);
        assertThat(r.steps()).isEqualTo(1);
        assertThat(r.skipped()).isZero();
        assertThat(r.meanLoss()).isEqualTo(r.meanReconstruction() + r.meanKl(), within());
      }
      assertThat(l.model().step()).isEqualTo(5);
      assertThat(l.model().imagesSeen()).isEqualTo(5 * 32);
      assertThat(l.pendingCount()).isZero();
      assertThatThrownBy(() -> l.learn(new float[31 * 784], 31)).hasMessageContaining("exactly 32");
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-3);
  }

  @Test
  void guardLeavesOutAnomaliesAndStillTrainsOnFullBatches() {
    OnlineLearner l =
        new OnlineLearner(VaeModel.create(2), new GuardSettings(true, 0.99, 1000, 1000));
    int g = 0;
    for (; g < 100; g++) {
      l.learn(group(32 * g, null), 32);
    }
    assertThat(l.threshold()).isFinite();
    long stepBefore = l.model().step();
    OnlineLearner.GroupResult noisy = l.learn(group(32 * g++, AnomalyKind.NOISE), 32);
    assertThat(noisy.skipped()).isEqualTo(32);
    assertThat(noisy.steps()).isZero();
    assertThat(l.model().step()).isEqualTo(stepBefore);
    int pendingBefore = l.pendingCount();
    int skipped = 0;
    int steps = 0;
    for (int k = 0; k < 10; k++) {
      OnlineLearner.GroupResult r = l.learn(group(32 * g++, null), 32);
      skipped += r.skipped();
      steps += r.steps();
    }
    // Every step used exactly 32 learned images: what is not skipped is learned or pending.
    assertThat(steps * 32 + l.pendingCount()).isEqualTo(pendingBefore + 320 - skipped);
    assertThat(skipped).isLessThan(320 / 5);
  }

  @Test
  void restoredStateContinuesIdentically() {
    GuardSettings guard = new GuardSettings(true, 0.9, 64, 256);
    OnlineLearner a = new OnlineLearner(VaeModel.create(3), guard);
    for (int g = 0; g < 60; g++) {
      a.learn(group(32 * g, g % 5 == 0 ? AnomalyKind.PATCH : null), 32);
    }
    assertThat(a.threshold()).isFinite();
    VaeModel m = a.model();
    OnlineLearner b =
        new OnlineLearner(
            VaeModel.restore(m.seed(), m.step(), m.imagesSeen(), m.parameters(), m.adamState()),
            guard);
    // Through the real checkpoint codec, as the trainer does.
    dev.vaestream.core.checkpoint.CheckpointCodec codec =
        dev.vaestream.core.checkpoint.CheckpointCodec.unsigned();
    dev.vaestream.core.checkpoint.Checkpoint c =
        codec.decode(
            codec.encode(
                dev.vaestream.core.checkpoint.Checkpoint.of(
                    m, java.util.List.of(), a.calibration(), a.metadata(), a.arrays())),
            "test");
    b.restore(c.metadata(), c.arrays());
    assertThat(b.threshold()).isEqualTo(a.threshold());
    assertThat(b.pendingCount()).isEqualTo(a.pendingCount());
    for (int g = 60; g < 110; g++) {
      float[] x = group(32 * g, g % 3 == 0 ? AnomalyKind.SALT_PEPPER : null);
      assertThat(b.learn(x, 32).skipped()).isEqualTo(a.learn(x, 32).skipped());
    }
    assertThat(b.model().parameters()).isEqualTo(a.model().parameters());
    assertThat(b.calibration()).isEqualTo(a.calibration());
  }

  @Test
  void softGuardLearnsTheMiddleAndLittleOfTheTail() {
    GuardSettings soft = GuardSettings.defaults();
    assertThat(soft.acceptance(0.1)).isEqualTo(1.0);
    assertThat(soft.acceptance(0.4)).isEqualTo(1.0);
    assertThat(soft.acceptance(0.65)).isCloseTo(0.5, within());
    assertThat(soft.acceptance(0.9)).isEqualTo(0.0);
    assertThat(soft.acceptance(0.97)).isEqualTo(0.0);
    assertThat(new GuardSettings(true, 0.99, 10, 100).acceptance(0.97)).isEqualTo(1.0);
    assertThatThrownBy(() -> new GuardSettings(true, 0.99, 10, 100, true, 0.9, 0.4))
        .hasMessageContaining("--guard-soft-from");

    // On real digits: about the integral of the acceptance (0.4 + 0.25 = 0.65) is learned.
    GuardSettings small = new GuardSettings(true, 0.99, 320, 2000, true, 0.4, 0.9);
    try (OnlineLearner l = new OnlineLearner(VaeModel.create(4), small)) {
      int skipped = 0;
      for (int g = 0; g < 110; g++) {
        OnlineLearner.GroupResult r = l.learn(group(32 * g, null), 32);
        if (g >= 60) {
          skipped += r.skipped();
        }
      }
      double learned = 1 - skipped / (50.0 * 32);
      assertThat(learned).isBetween(0.5, 0.8);
    }
  }

  @Test
  void softGuardRanksInkNormalisedErrorsAmongTheLatest() {
    GuardSettings soft = GuardSettings.defaults();
    assertThat(soft.softWindow()).isEqualTo(2000);
    assertThat(soft.softScore(0.02f, 100f))
        .isCloseTo(0.002f, org.assertj.core.data.Offset.offset(1e-9f));
    assertThat(soft.softScore(0.02f, 0f)).as("blank image: ink floored at 1").isEqualTo(0.02f);
    GuardSettings plain = new GuardSettings(true, 0.99, 10, 100, true, 0.4, 0.9, 50, 0);
    assertThat(plain.softScore(0.02f, 100f)).isEqualTo(0.02f);
    assertThatThrownBy(() -> new GuardSettings(true, 0.99, 10, 100, true, 0.4, 0.9, 0, 0.5))
        .hasMessageContaining("--guard-soft-window");
    assertThatThrownBy(() -> new GuardSettings(true, 0.99, 10, 100, true, 0.4, 0.9, 50, -1))
        .hasMessageContaining("--guard-soft-ink-exponent");
  }

  @Test
  void aCheckpointWithoutTheSoftWindowResumesWithAnEmptyOne() {
    GuardSettings guard = new GuardSettings(true, 0.99, 64, 256, true, 0.4, 0.9, 128, 0.5);
    try (OnlineLearner a = new OnlineLearner(VaeModel.create(6), guard)) {
      for (int g = 0; g < 10; g++) {
        a.learn(group(32 * g, null), 32);
      }
      assertThat(a.metadata()).containsEntry(OnlineLearner.META_SOFT_COUNT, "128");
      // As a trainer from before the soft guard's own window wrote it.
      java.util.Map<String, String> meta = new java.util.HashMap<>(a.metadata());
      meta.remove(OnlineLearner.META_SOFT_NEXT);
      meta.remove(OnlineLearner.META_SOFT_COUNT);
      java.util.Map<String, float[]> arrays = new java.util.HashMap<>(a.arrays());
      arrays.remove(OnlineLearner.ARRAY_SOFT_WINDOW);
      VaeModel m = a.model();
      try (OnlineLearner b =
          new OnlineLearner(
              VaeModel.restore(m.seed(), m.step(), m.imagesSeen(), m.parameters(), m.adamState()),
              guard)) {
        b.restore(meta, arrays);
        OnlineLearner.GroupResult r = b.learn(group(320, null), 32);
        // The hard guard resumed; the soft one waits for its window to fill again.
        assertThat(b.metadata()).containsEntry(OnlineLearner.META_SOFT_COUNT, "32");
        assertThat(b.metadata().get(OnlineLearner.META_GUARD_COUNT)).isEqualTo("256");
        assertThat(r.skipped()).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void softGuardAndDetectorResumeExactly() {
    GuardSettings guard = new GuardSettings(true, 0.99, 64, 256, true, 0.4, 0.9);
    dev.vaestream.trainer.drift.DriftSettings drift =
        new dev.vaestream.trainer.drift.DriftSettings(true, 1e-5, 0.1, 320, 100, 640, 15);
    OnlineLearner a = new OnlineLearner(VaeModel.create(5), guard, drift);
    for (int g = 0; g < 40; g++) {
      a.learn(group(32 * g, g % 7 == 0 ? AnomalyKind.FLIPPED : null), 32);
    }
    OnlineLearner b = restoredCopy(a, guard, drift);
    int skipped = 0;
    for (int g = 40; g < 90; g++) {
      // From group 60 on, every image is rotated: a sudden change for the detector.
      float[] x = group(32 * g, g >= 60 ? AnomalyKind.ROTATED : null);
      OnlineLearner.GroupResult ra = a.learn(x, 32);
      OnlineLearner.GroupResult rb = b.learn(x, 32);
      assertThat(rb.learned()).isEqualTo(ra.learned());
      assertThat(rb.drift()).isEqualTo(ra.drift());
      skipped += ra.skipped();
    }
    assertThat(skipped).isPositive();
    assertThat(b.model().parameters()).isEqualTo(a.model().parameters());
    assertThat(b.metadata()).isEqualTo(a.metadata());
  }

  @Test
  void learnsFasterWhileAdaptingAndResumesExactlyMidAdaptation() {
    GuardSettings guard = new GuardSettings(true, 0.99, 64, 256, true, 0.4, 0.9);
    dev.vaestream.trainer.drift.DriftSettings drift =
        new dev.vaestream.trainer.drift.DriftSettings(
            true, 1e-5, 0.1, 320, 100, 640, 15, 2, 0.1, 10_000);
    OnlineLearner a = new OnlineLearner(VaeModel.create(5), guard, drift);
    double base = a.model().learningRate();
    int g = 0;
    OnlineLearner.GroupResult r = null;
    for (; g < 200 && (r == null || r.drift() == null); g++) {
      // From group 60 on every image is inverted: a sudden change the detector must catch.
      r = a.learn(group(32 * (g % 1500), g >= 60 ? AnomalyKind.INVERTED : null), 32);
      if (r.drift() == null) {
        assertThat(a.model().learningRate()).isEqualTo(base);
      }
    }
    assertThat(r.drift()).as("a detection after the change").isNotNull();
    assertThat(a.model().learningRate()).isEqualTo(2 * base);

    OnlineLearner b = restoredCopy(a, guard, drift);
    // 640 images of adaptation are 20 groups: past them both are back at the set rate.
    for (int k = 0; k < 25; k++, g++) {
      float[] x = group(32 * (g % 1500), AnomalyKind.INVERTED);
      assertThat(b.learn(x, 32).learned()).isEqualTo(a.learn(x, 32).learned());
    }
    assertThat(a.model().learningRate()).isEqualTo(base);
    assertThat(b.model().learningRate()).isEqualTo(base);
    assertThat(b.model().parameters()).isEqualTo(a.model().parameters());
    a.close();
    b.close();
  }

  /** A learner restored from {@code a}'s state, as the trainer restores one from a checkpoint. */
  private static OnlineLearner restoredCopy(
      OnlineLearner a, GuardSettings guard, dev.vaestream.trainer.drift.DriftSettings drift) {
    VaeModel m = a.model();
    OnlineLearner b =
        new OnlineLearner(
            VaeModel.restore(m.seed(), m.step(), m.imagesSeen(), m.parameters(), m.adamState()),
            guard,
            drift);
    b.restore(a.metadata(), a.arrays());
    return b;
  }
}
