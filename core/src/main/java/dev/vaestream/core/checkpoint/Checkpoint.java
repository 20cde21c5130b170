package dev.vaestream.core.checkpoint;

import dev.vaestream.core.model.VaeModel;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue training exactly where it stopped, or to score with the model.
 * Encoded by {@link CheckpointCodec}.
 *
 * @param step completed training steps
 * @param imagesSeen images learned from
 * @param createdAtMs creation time, epoch ms
 * @param seed the model seed (initialisation and, with the step, the sampling noise)
 * @param offsets input offsets the checkpoint covers (empty for offline training)
 * @param calibration anomaly-threshold calibration
 * @param metadata small named values (e.g. trainer guard state), UTF-8 strings
 * @param parameters the flat parameter vector
 * @param adamState the flat Adam state: first moments then second moments
 * @param arrays named float arrays of extra state (e.g. the recent-error window)
 */
public record Checkpoint(
    long step,
    long imagesSeen,
    long createdAtMs,
    long seed,
    List<InputOffset> offsets,
    Calibration calibration,
    Map<String, String> metadata,
    float[] parameters,
    float[] adamState,
    Map<String, float[]> arrays) {

  public Checkpoint {
    offsets = List.copyOf(offsets);
    metadata = Map.copyOf(metadata);
    arrays = Map.copyOf(arrays);
  }

  /** A checkpoint of {@code model}'s complete training state. */
  public static Checkpoint of(
      VaeModel model,
      List<InputOffset> offsets,
      Calibration calibration,
      Map<String, String> metadata,
      Map<String, float[]> arrays) {
    return new Checkpoint(
        model.step(),
        model.imagesSeen(),
        System.currentTimeMillis(),
        model.seed(),
        offsets,
        calibration,
        metadata,
        model.parameters(),
        model.adamState(),
        arrays);
  }

  /** An offline checkpoint: no offsets, no extra state. */
  public static Checkpoint offline(VaeModel model, Calibration calibration) {
    return of(model, List.of(), calibration, Map.of(), Map.of());
  }

  /** This checkpoint claiming another step, created now (benchmarks and forgery tests). */
  public Checkpoint withStep(long otherStep) {
    return new Checkpoint(
        otherStep,
        imagesSeen,
        System.currentTimeMillis(),
        seed,
        offsets,
        calibration,
        metadata,
        parameters,
        adamState,
        arrays);
  }

  /** The model, restored with its optimiser state, ready to train or score. */
  public VaeModel toModel() {
    return VaeModel.restore(seed, step, imagesSeen, parameters, adamState);
  }
}
