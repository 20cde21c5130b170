package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ForwardWorkerTest {
  private static final int ROWS = 16;

  private static LoadedModel loaded(VaeModel vae) {
    return new LoadedModel(
        vae, 1, 0, ThresholdPolicy.fixed(1).resolve(Calibration.none()), "test", 0, null);
  }

  private static float[] pixels(int batch) {
    float[] pixels = new float[ROWS * MnistDataset.PIXELS];
    for (int i = 0; i < ROWS; i++) {
      byte[] px = TestStreams.image(batch * ROWS + i).pixels();
      for (int p = 0; p < MnistDataset.PIXELS; p++) {
        pixels[i * MnistDataset.PIXELS + p] = (px[p] & 0xff) / 255f;
      }
    }
    return pixels;
  }

  /** Queued batches, with a model change between them, come back in order and bit for bit. */
  @Test
  void onItsOwnThreadScoresExactlyAsInlineInSubmissionOrder() throws Exception {
    List<LoadedModel> models = List.of(loaded(VaeModel.create(3)), loaded(VaeModel.create(4)));
    List<float[]> batches = new ArrayList<>();
    for (int b = 0; b < 6; b++) {
      batches.add(pixels(b));
    }
    List<BatchScores> inline = new ArrayList<>();
    try (ForwardWorker worker = ForwardWorker.inline()) {
      assertThat(worker.isPipelined()).isFalse();
      for (int b = 0; b < batches.size(); b++) {
        Future<BatchScores> f = worker.submit(models.get(b / 3), batches.get(b), ROWS);
        assertThat(f.isDone()).as("inline: done on return").isTrue();
        inline.add(f.get());
      }
    }
    try (ForwardWorker worker = ForwardWorker.pipelined()) {
      assertThat(worker.isPipelined()).isTrue();
      List<Future<BatchScores>> futures = new ArrayList<>();
      for (int b = 0; b < batches.size(); b++) {
        futures.add(worker.submit(models.get(b / 3), batches.get(b), ROWS));
      }
      for (int b = 0; b < batches.size(); b++) {
        BatchScores got = futures.get(b).get();
        assertThat(got.reconstructionError())
            .as("batch %d", b)
            .containsExactly(inline.get(b).reconstructionError());
        assertThat(got.kl()).containsExactly(inline.get(b).kl());
        assertThat(got.reconstructions()).as("no reconstructions").isNull();
      }
    }
    // The two models disagree, so the model change really happened between batches 2 and 3.
    assertThat(inline.get(0).reconstructionError())
        .isNotEqualTo(
            models.get(1).model().score(batches.get(0), ROWS, false).reconstructionError());
  }
}
