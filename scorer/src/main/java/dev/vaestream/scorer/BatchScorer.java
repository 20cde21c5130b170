package dev.vaestream.scorer;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ScoreRecord;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores decoded images in one forward pass and turns the results into {@link ScoreRecord}s.
 *
 * <p>Why one pass per batch: DL4J took about 570 µs for a single image but about 25 µs per image in
 * batches of 512, so the scoring loop hands over whatever one poll returned. No Kafka here, so the
 * scoring and thresholding rules are unit-testable.
 */
final class BatchScorer {
  private static final int PIXELS = MnistDataset.PIXELS;

  private BatchScorer() {}

  /**
   * An image to score and where it came from.
   *
   * @param key the input record's key (the image id), reused as the score's key
   * @param image the decoded record
   * @param partition source partition
   * @param offset source offset
   */
  record Input(byte[] key, ImageRecord image, int partition, long offset) {}

  /**
   * The scores of one batch, in input order, with what the anomaly gallery needs to draw them.
   *
   * @param records one score record per input
   * @param pixels the inputs scaled to [0, 1], 784 per image (one of the scoring loop's two reused
   *     buffers: valid until the loop prepares its next batch)
   * @param model the network that scored them, to reconstruct the few images the gallery keeps
   */
  record Result(List<ScoreRecord> records, float[] pixels, VaeModel model) {}

  /**
   * Scaled pixel values by byte: the same floats as {@code (b & 0xff) / 255f}, without a divide.
   */
  private static final float[] SCALE = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      SCALE[b] = b / 255f;
    }
  }

  /**
   * Scores {@code inputs} with {@code model} in one forward pass: {@link #scale}, the forward pass
   * and {@link #records} in one call, on this thread (the scoring loop runs the three steps on two
   * threads: {@link ForwardWorker}).
   *
   * @param nowMs the clock; read once, after the forward pass, for every record's {@code scored_at}
   */
  static Result score(
      LoadedModel model, List<Input> inputs, java.util.function.LongSupplier nowMs) {
    float[] pixels = scale(inputs, new float[inputs.size() * PIXELS]);
    // No reconstructions: the gallery recomputes the few it keeps (AnomalyGallery).
    BatchScores scores = model.model().score(pixels, inputs.size(), false);
    return records(model, inputs, scores, pixels, nowMs.getAsLong());
  }

  /**
   * The inputs' pixels scaled to [0, 1], 784 per image, in {@code buffer} when it is large enough
   * (otherwise in a new array): the first half of {@link #score}, before the forward pass.
   */
  static float[] scale(List<Input> inputs, float[] buffer) {
    int n = inputs.size();
    float[] pixels = buffer.length >= n * PIXELS ? buffer : new float[n * PIXELS];
    for (int i = 0; i < n; i++) {
      byte[] px = inputs.get(i).image().pixels();
      int base = i * PIXELS;
      for (int p = 0; p < PIXELS; p++) {
        pixels[base + p] = SCALE[px[p] & 0xff];
      }
    }
    return pixels;
  }

  /**
   * The score records of a forward pass's {@code scores} over {@code inputs}, all stamped {@code
   * scoredAt}: the second half of {@link #score}, after the forward pass.
   */
  static Result records(
      LoadedModel model, List<Input> inputs, BatchScores scores, float[] pixels, long scoredAt) {
    int n = inputs.size();
    long modelAge = model.ageMs(scoredAt);
    ThresholdPolicy.Threshold threshold = model.threshold();
    Double thresholdValue = threshold.value().isPresent() ? threshold.value().getAsDouble() : null;
    ScoreRecord.Model modelGroup = new ScoreRecord.Model(model.step(), modelAge);
    List<ScoreRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Input in = inputs.get(i);
      ImageRecord image = in.image();
      double score = scores.mse(i);
      records.add(
          new ScoreRecord(
              new ScoreRecord.Source(image.id(), in.partition(), in.offset()),
              new ScoreRecord.Verdict(score, thresholdValue, threshold.flags(score)),
              modelGroup,
              new ScoreRecord.Truth(
                  image.hasLabel() ? image.label() : null,
                  image.anomaly() == null ? null : image.anomaly().wireName()),
              ScoreRecord.Timing.of(image.producedAtMs(), scoredAt),
              model.drift()));
    }
    return new Result(records, pixels, model.model());
  }

  /**
   * Frees the ND4J scratch memory (workspaces) the calling thread holds. On the CPU backend {@code
   * VaeModel.score} keeps its buffers with the model, so a replaced model takes them with it and
   * this frees nothing; with ND4J ops (other backends) it keeps a per-thread workspace per model
   * instance that lives as long as the thread, and with a new model every checkpoint (about every
   * 30 s) the old ones would pile up. The thread that runs the forward passes ({@link
   * ForwardWorker}) calls this when it switches models, the loader after its warm-up pass; the next
   * score simply allocates afresh.
   */
  static void releaseThreadScratch() {
    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
  }
}
