package dev.vaestream.trainer.drift;

/** Where the trainer stands with respect to drift; the state gauge's value is {@link #code}. */
public enum DriftState {
  /** Detector off. */
  OFF(0),
  /** Learning from scratch; detections are not yet allowed. */
  WARMING_UP(1),
  /** No change detected recently. */
  STABLE(2),
  /** A change was detected and the model is still learning it. */
  ADAPTING(3);

  private final int code;

  DriftState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
