package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchScorerTest {
  private static VaeModel vae;
  private static List<BatchScorer.Input> inputs;
  private static BatchScores reference;

  @BeforeAll
  static void model() {
    vae = VaeModel.create(3);
    inputs = new ArrayList<>();
    float[] pixels = new float[20 * MnistDataset.PIXELS];
    for (int i = 0; i < 20; i++) {
      ImageRecord image = TestStreams.image(i);
      inputs.add(new BatchScorer.Input(image.id().getBytes(), image, i % 2, 100 + i));
      for (int p = 0; p < MnistDataset.PIXELS; p++) {
        pixels[i * MnistDataset.PIXELS + p] = (image.pixels()[p] & 0xff) / 255f;
      }
    }
    reference = vae.score(VaeModel.batch(pixels, 20));
  }

  private static LoadedModel loaded(ThresholdPolicy.Threshold threshold, long createdAt) {
    return new LoadedModel(vae, 42, createdAt, threshold, "test", 0, null);
  }

  @Test
  void scoresArePerPixelMseInInputOrder() {
    LoadedModel m = loaded(ThresholdPolicy.fixed(1).resolve(Calibration.none()), 0);
    List<ScoreRecord> out = BatchScorer.score(m, inputs, () -> 5_000_000_000_000L).records();
    assertThat(out).hasSize(20);
    for (int i = 0; i < 20; i++) {
      ScoreRecord s = out.get(i);
      ImageRecord in = inputs.get(i).image();
      assertThat(s.imageId()).isEqualTo(in.id());
      assertThat(s.score()).isCloseTo(reference.mse(i), within(1e-6));
      assertThat(s.partition()).isEqualTo(i % 2);
      assertThat(s.offset()).isEqualTo(100 + i);
      assertThat(s.modelStep()).isEqualTo(42);
      assertThat(s.label()).isEqualTo(in.label());
      assertThat(s.anomalyKind()).isEqualTo(in.anomaly() == null ? null : in.anomaly().wireName());
      assertThat(s.scoredAt()).isEqualTo(5_000_000_000_000L);
      assertThat(s.latencyMs()).isEqualTo(5_000_000_000_000L - in.producedAtMs());
      assertThat(s.modelAgeMs()).isEqualTo(5_000_000_000_000L);
      assertThat(ScoreSchema.violations(ScoreRecordCodec.encode(s))).isEmpty();
    }
  }

  @Test
  void everyRecordCarriesTheScoringModelsDriftContext() {
    ScoreRecord.Drift drift = new ScoreRecord.Drift(1, 320, true);
    LoadedModel m =
        new LoadedModel(
            vae, 42, 0, ThresholdPolicy.fixed(0).resolve(Calibration.none()), "test", 0, drift);
    for (ScoreRecord s : BatchScorer.score(m, inputs, System::currentTimeMillis).records()) {
      assertThat(s.drift()).isEqualTo(drift);
      assertThat(s.anomaly() && s.adapting()).as("flagged while adapting").isTrue();
      assertThat(ScoreSchema.violations(ScoreRecordCodec.encode(s))).isEmpty();
    }
    LoadedModel v1 = loaded(ThresholdPolicy.fixed(0).resolve(Calibration.none()), 0);
    for (ScoreRecord s : BatchScorer.score(v1, inputs, System::currentTimeMillis).records()) {
      assertThat(s.drift()).as("a checkpoint without drift context").isNull();
      assertThat(s.adapting()).isFalse();
    }
  }

  @Test
  void flagsExactlyTheScoresAboveTheThreshold() {
    double median = quantile(0.5);
    LoadedModel m = loaded(ThresholdPolicy.fixed(median).resolve(Calibration.none()), 0);
    for (ScoreRecord s : BatchScorer.score(m, inputs, System::currentTimeMillis).records()) {
      assertThat(s.anomaly()).isEqualTo(s.score() > median);
      assertThat(s.threshold()).isEqualTo(median);
    }
  }

  @Test
  void thresholdQuantilesComeFromTheCheckpointCalibration() {
    Calibration c =
        new Calibration(500, Map.of(0.5, 0.001, 0.9, 0.002, 0.95, 0.003, 0.99, 0.004, 0.999, 9.0));
    LoadedModel p99 = loaded(ThresholdPolicy.defaults().resolve(c), 0);
    LoadedModel p999 = loaded(ThresholdPolicy.quantile(0.999).resolve(c), 0);
    assertThat(BatchScorer.score(p99, inputs, System::currentTimeMillis).records())
        .allSatisfy(s -> assertThat(s.threshold()).isEqualTo(0.004))
        .allSatisfy(s -> assertThat(s.anomaly()).isEqualTo(s.score() > 0.004));
    assertThat(BatchScorer.score(p999, inputs, System::currentTimeMillis).records())
        .allSatisfy(s -> assertThat(s.anomaly()).isFalse());
  }

  @Test
  void uncalibratedModelsScoreButNeverFlag() {
    LoadedModel none = loaded(ThresholdPolicy.defaults().resolve(Calibration.none()), 0);
    assertThat(BatchScorer.score(none, inputs, System::currentTimeMillis).records())
        .allSatisfy(
            s -> {
              assertThat(s.threshold()).isNull();
              assertThat(s.anomaly()).isFalse();
            });
  }

  @Test
  void switchingModelsReleasesTheThreadsScratchMemory() {
    var workspaces = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager();
    var before = java.util.List.copyOf(workspaces.getAllWorkspacesIdsForCurrentThread());
    LoadedModel m = loaded(ThresholdPolicy.fixed(1).resolve(Calibration.none()), 0);
    BatchScorer.score(m, inputs, System::currentTimeMillis);
    LoadedModel other = new LoadedModel(VaeModel.create(4), 1, 0, m.threshold(), "other", 0, null);
    BatchScorer.score(other, inputs, System::currentTimeMillis);
    if (m.model().computePath().equals("openblas")) {
      // The forward pass keeps its buffers with the model: nothing piles up on the thread.
      assertThat(workspaces.getAllWorkspacesIdsForCurrentThread())
          .containsExactlyInAnyOrderElementsOf(before);
    } else {
      assertThat(workspaces.getAllWorkspacesIdsForCurrentThread()).hasSizeGreaterThanOrEqualTo(2);
    }
    BatchScorer.releaseThreadScratch();
    assertThat(workspaces.getAllWorkspacesIdsForCurrentThread()).isEmpty();
    // Scoring afterwards simply allocates again.
    assertThat(BatchScorer.score(m, inputs, System::currentTimeMillis).records()).hasSize(20);
  }

  @Test
  void latencyAndAgeNeverGoNegative() {
    LoadedModel future =
        loaded(ThresholdPolicy.fixed(1).resolve(Calibration.none()), Long.MAX_VALUE);
    ScoreRecord s = BatchScorer.score(future, inputs.subList(0, 1), () -> 0L).records().get(0);
    assertThat(s.latencyMs()).isZero();
    assertThat(s.modelAgeMs()).isZero();
  }

  private static double quantile(double q) {
    double[] v = new double[20];
    for (int i = 0; i < 20; i++) {
      v[i] = reference.mse(i);
    }
    java.util.Arrays.sort(v);
    return v[(int) (q * 19)];
  }
}
