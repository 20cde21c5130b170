package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import org.junit.jupiter.api.Test;

class GroupScorerTest {
  @Test
  void withOrWithoutTheHelperThreadTheScoresAreTheSameBits() {
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    VaeModel model = VaeModel.create(4);
    try (GroupScorer helped = new GroupScorer(model, true);
        GroupScorer alone = new GroupScorer(model, false)) {
      for (int g = 0; g < 20; g++) {
        float[] group = new float[32 * 784];
        for (int i = 0; i < 32; i++) {
          train.copyScaled(32 * g + i, group, i * 784);
        }
        BatchScores a = helped.score(group);
        BatchScores b = alone.score(group);
        assertThat(a.size()).isEqualTo(32);
        assertThat(a.reconstructionError()).isEqualTo(b.reconstructionError());
        assertThat(a.kl()).isEqualTo(b.kl());
        // The blocks are those of a plain forward pass over the same rows.
        BatchScores second = model.forward().score(group, 16, 16, false);
        for (int i = 0; i < 16; i++) {
          assertThat(a.reconstructionError()[16 + i]).isEqualTo(second.reconstructionError()[i]);
        }
        model.trainStep(VaeModel.batch(group, 32));
      }
    }
  }
}
