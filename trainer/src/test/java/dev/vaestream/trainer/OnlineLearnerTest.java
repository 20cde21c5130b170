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
}
