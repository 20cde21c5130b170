package dev.vaestream.core.record;

import java.util.Objects;

/**
 * One value on {@code anomaly.scores}: the score of one image and everything needed to explain it.
 * The scorer writes it and every reader (the demo's tally, the fault campaign's audit, the latency
 * benchmark, users' code) reads it through {@link ScoreRecordCodec}; the contract is {@code
 * schema/anomaly-score.schema.json} (fields are only ever added, never renamed or removed).
 *
 * <p>The thirteen fields come in five groups so that a call site says what each number is: {@code
 * new ScoreRecord(new Source(id, partition, offset), new Verdict(score, threshold, anomaly), new
 * Model(step, ageMs), new Truth(label, kind), new Timing(producedAt, scoredAt, latencyMs))}. The
 * flat accessors ({@link #score()}, {@link #modelStep()}, ...) read through the groups. A sixth,
 * optional group, {@link Drift}, says where the scoring model stands with respect to detected
 * changes of the stream; it is null when the model carries no drift context (an offline model, a
 * checkpoint from before drift handling), and then its fields are absent from the JSON.
 *
 * @param source where the scored image came from
 * @param verdict the score and the flag
 * @param model the model that scored it
 * @param truth what the input record carried as ground truth
 * @param timing when it was produced and scored
 * @param drift the scoring model's drift context, or null when it has none
 */
public record ScoreRecord(
    Source source, Verdict verdict, Model model, Truth truth, Timing timing, Drift drift) {

  /** Validates that no required group is missing ({@code drift} is optional). */
  public ScoreRecord {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(timing, "timing");
  }

  /** A score by a model without drift context. */
  public ScoreRecord(Source source, Verdict verdict, Model model, Truth truth, Timing timing) {
    this(source, verdict, model, truth, timing, null);
  }

  /**
   * The scoring model's drift context, from its checkpoint: lets a consumer tell from one record
   * that a flag was raised while the model was still learning a change the trainer had detected.
   *
   * @param events drift detections the scoring model has seen (0: none yet)
   * @param imagesSince images the model learned since the last detection (since its start when
   *     there was none)
   * @param adapting true while {@code events > 0} and {@code imagesSince} is below the trainer's
   *     adapt window ({@code --drift-adapt-images}): flags may be the change, not anomalies
   */
  public record Drift(long events, long imagesSince, boolean adapting) {}

  /**
   * The input record that was scored.
   *
   * @param imageId the input record's key
   * @param partition source partition on the input topic
   * @param offset source offset on the input topic
   */
  public record Source(String imageId, int partition, long offset) {
    /** Validates the id. */
    public Source {
      Objects.requireNonNull(imageId, "imageId");
    }
  }

  /**
   * The outcome.
   *
   * @param score per-pixel MSE of the reconstruction at the posterior mean
   * @param threshold the model's threshold, or null when it has none
   * @param anomaly {@code score > threshold}; false without a threshold
   */
  public record Verdict(double score, Double threshold, boolean anomaly) {}

  /**
   * The model that scored.
   *
   * @param step its training step
   * @param ageMs age of its checkpoint when scoring
   */
  public record Model(long step, long ageMs) {}

  /**
   * Ground truth the input record carried, for precision and recall.
   *
   * @param label the digit, or null
   * @param anomalyKind the injected anomaly kind, or null for a real digit
   */
  public record Truth(Integer label, String anomalyKind) {
    /** Neither a label nor an anomaly kind. */
    public static final Truth NONE = new Truth(null, null);
  }

  /**
   * Clocks, epoch milliseconds.
   *
   * @param producedAt when the image was produced
   * @param scoredAt when it was scored (also the record timestamp)
   * @param latencyMs {@code scoredAt - producedAt}, clamped at 0 against clock skew
   */
  public record Timing(long producedAt, long scoredAt, long latencyMs) {
    /** The timing of an image produced at {@code producedAt} and scored at {@code scoredAt}. */
    public static Timing of(long producedAt, long scoredAt) {
      return new Timing(producedAt, scoredAt, Math.max(0, scoredAt - producedAt));
    }
  }

  /** The input record's key. */
  public String imageId() {
    return source.imageId();
  }

  /** Source partition on the input topic. */
  public int partition() {
    return source.partition();
  }

  /** Source offset on the input topic. */
  public long offset() {
    return source.offset();
  }

  /** The anomaly score. */
  public double score() {
    return verdict.score();
  }

  /** The threshold, or null when the model has none. */
  public Double threshold() {
    return verdict.threshold();
  }

  /** Whether the scorer flagged the image. */
  public boolean anomaly() {
    return verdict.anomaly();
  }

  /** Training step of the model that scored. */
  public long modelStep() {
    return model.step();
  }

  /** Age of that model's checkpoint when scoring, ms. */
  public long modelAgeMs() {
    return model.ageMs();
  }

  /** The digit the input carried, or null. */
  public Integer label() {
    return truth.label();
  }

  /** The injected anomaly kind the input carried, or null. */
  public String anomalyKind() {
    return truth.anomalyKind();
  }

  /** When the image was produced, epoch ms. */
  public long producedAt() {
    return timing.producedAt();
  }

  /** When it was scored, epoch ms. */
  public long scoredAt() {
    return timing.scoredAt();
  }

  /** Whether the scoring model was adapting to a detected change; false without drift context. */
  public boolean adapting() {
    return drift != null && drift.adapting();
  }

  /** {@code scoredAt - producedAt}, at least 0. */
  public long latencyMs() {
    return timing.latencyMs();
  }
}
