package dev.vaestream.core.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.VaeModel;
import org.junit.jupiter.api.Test;

/**
 * A short real training run: 400 steps (12,800 images) must bring test MSE well below the
 * mean-image level (about 0.067, where a collapsed model sits) and flag synthetic anomalies.
 */
class ShortTrainingTest {
  @Test
  void shortRunLearnsDigits() {
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    MnistDataset test = MnistDataset.bundled(MnistSplit.TEST);
    VaeModel model = VaeModel.create(42);
    double before = ImageScorer.score(model, 2000, test::image).meanMse();
    OfflineTraining.Result r = new OfflineTraining(train, 42).trainUntilStep(model, 400, null);
    assertThat(r.images()).isEqualTo(400 * 32);
    assertThat(r.finalLoss()).isFinite();
    Evaluation.Result e = Evaluation.evaluate(model, test, null);
    assertThat(e.testMse()).isLessThan(0.05).isLessThan(before);
    assertThat(e.aurocSynthetic()).isGreaterThan(0.85);
    assertThat(e.aurocSyntheticByKind()).containsKeys("noise", "inverted", "rotated", "flipped");
    assertThat(e.paramsSha256()).hasSize(64);
  }
}
