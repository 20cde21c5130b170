package dev.vaestream.scorer;

import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ScoreRecord;

/**
 * A model ready to score: built and warmed up by the {@link ModelFollower}'s thread, then handed to
 * the scoring thread through an atomic reference and never touched by the loader again. Immutable
 * apart from the {@link VaeModel}, which only the scoring thread uses ({@code VaeModel} is not
 * thread-safe).
 *
 * @param model the network
 * @param step the checkpoint's training step (the records' {@code model_step})
 * @param createdAtMs when the trainer made the checkpoint (the base of {@code model_age_ms})
 * @param threshold the anomaly threshold for this model
 * @param source where the checkpoint was read, {@code topic-partition@offset}
 * @param loadedAtMs when it was swapped in
 * @param drift the checkpoint's drift context (the records' {@code drift_events}, {@code
 *     images_since_drift}, {@code adapting}), or null when it carries none
 */
public record LoadedModel(
    VaeModel model,
    long step,
    long createdAtMs,
    ThresholdPolicy.Threshold threshold,
    String source,
    long loadedAtMs,
    ScoreRecord.Drift drift) {

  /** Whether this model is still adapting to a detected change of the stream. */
  public boolean adapting() {
    return drift != null && drift.adapting();
  }

  /** Age of the model at {@code nowMs}, never negative (clocks may disagree). */
  public long ageMs(long nowMs) {
    return Math.max(0, nowMs - createdAtMs);
  }
}
