package dev.vaestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class VaeModelTest {
  private static MnistDataset train;

  @BeforeAll
  static void load() {
    train = MnistDataset.bundled(MnistSplit.TRAIN);
  }

  static INDArray batch(int first, int n) {
    float[] buf = new float[n * 784];
    for (int i = 0; i < n; i++) {
      train.copyScaled(first + i, buf, i * 784);
    }
    return VaeModel.batch(buf, n);
  }

  @Test
  void hasTheSeedsArchitecture() {
    VaeModel m = VaeModel.create(1);
    // 784*256+256 + 256*64+64 + 2*(64*10+10) + 10*64+64 + 64*256+256 + 256*784+784
    assertThat(VaeArchitecture.parameterCount()).isEqualTo(437_540);
    assertThat(m.parameters()).hasSize(437_540);
    assertThat(m.adamState()).hasSize(2 * 437_540);
  }

  @Test
  void scoresHaveSaneShapesAndRanges() {
    BatchScores s = VaeModel.create(1).score(batch(0, 5));
    assertThat(s.size()).isEqualTo(5);
    assertThat(s.reconstructions()).hasSize(5 * 784);
    for (int i = 0; i < 5; i++) {
      assertThat(s.mse(i)).isBetween(0.0, 1.0);
      assertThat((double) s.kl()[i]).isGreaterThanOrEqualTo(0.0);
      assertThat(s.loss(i)).isEqualTo(s.reconstructionError()[i] + s.kl()[i]);
    }
    for (float v : s.reconstructions()) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void trainingLowersTheLossOnSeenData() {
    VaeModel m = VaeModel.create(3);
    INDArray b = batch(0, 32);
    double before = mean(m.score(b));
    for (int i = 0; i < 60; i++) {
      assertThat(m.trainStep(b).applied()).isTrue();
    }
    assertThat(m.step()).isEqualTo(60);
    assertThat(m.imagesSeen()).isEqualTo(60 * 32);
    assertThat(mean(m.score(b))).isLessThan(before * 0.8);
  }

  @Test
  void sameSeedSameParametersDifferentSeedDifferent() {
    VaeModel a = VaeModel.create(5);
    VaeModel b = VaeModel.create(5);
    VaeModel c = VaeModel.create(6);
    for (int i = 0; i < 5; i++) {
      a.trainStep(batch(32 * i, 32));
      b.trainStep(batch(32 * i, 32));
      c.trainStep(batch(32 * i, 32));
    }
    assertThat(a.parameters()).isEqualTo(b.parameters());
    assertThat(a.parameters()).isNotEqualTo(c.parameters());
  }

  @Test
  void aNonFiniteStepIsRolledBack() {
    VaeModel m = VaeModel.create(7);
    m.trainStep(batch(0, 32));
    float[] params = m.parameters();
    float[] adam = m.adamState();
    m.learningRate(1e38);
    StepResult r = m.trainStep(batch(32, 32));
    r = r.applied() ? m.trainStep(batch(64, 32)) : r;
    assertThat(r.applied()).isFalse();
    assertThat(m.rollbacks()).isGreaterThanOrEqualTo(1);
    assertThat(m.step()).isLessThanOrEqualTo(2);
    if (m.step() == 1) {
      assertThat(m.parameters()).isEqualTo(params);
      assertThat(m.adamState()).isEqualTo(adam);
    }
    for (float p : m.parameters()) {
      assertThat(Float.isFinite(p)).isTrue();
    }
  }

  @Test
  void aForwardPassScoresAnyRowsOfAnArrayAndFollowsTraining() {
    VaeModel m = VaeModel.create(12);
    float[] images = new float[64 * 784];
    for (int i = 0; i < 64; i++) {
      train.copyScaled(i, images, i * 784);
    }
    VaeForward f = m.forward();
    BatchScores before = f.score(images, 16, 16, false);
    assertThat(before.reconstructions()).isNull();
    BatchScores viaModel = m.score(VaeModel.batch(images, 16, 16));
    assertThat(before.reconstructionError()).isEqualTo(viaModel.reconstructionError());
    assertThat(before.kl()).isEqualTo(viaModel.kl());
    BatchScores viaFloats = m.score(java.util.Arrays.copyOfRange(images, 16 * 784, 32 * 784), 16);
    assertThat(viaFloats.reconstructionError()).isEqualTo(viaModel.reconstructionError());
    assertThat(viaFloats.reconstructions()).isEqualTo(viaModel.reconstructions());
    // Growing past the first call's rows, and back.
    assertThat(f.score(images, 0, 64, true).reconstructions()).hasSize(64 * 784);
    assertThat(f.score(images, 16, 16, false).reconstructionError())
        .isEqualTo(before.reconstructionError());
    m.trainStep(VaeModel.batch(images, 32));
    assertThat(f.score(images, 16, 16, false).reconstructionError())
        .isNotEqualTo(before.reconstructionError());
  }

  private static double mean(BatchScores s) {
    double t = 0;
    for (int i = 0; i < s.size(); i++) {
      t += s.loss(i);
    }
    return t / s.size();
  }
}
