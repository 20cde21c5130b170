package dev.vaestream.trainer.drift;

/**
 * How the trainer watches its prequential loss for a sustained change and what it does on one.
 *
 * @param enabled run the detector at all (off: today's trainer, no events)
 * @param delta ADWIN's confidence; smaller means fewer false alarms and later detections
 * @param minRise a cut counts as drift only when the newer mean loss exceeds the older one by this
 *     fraction (0.1: 10%); falls in loss, from learning, are never drift
 * @param warmupImages no detection before this many images (the first minutes of learning are one
 *     long fall in loss, not a change of the stream)
 * @param rebaselineImages after a detection, the guard starts afresh: it learns everything until
 *     this many new scores are in its window, then guards at their quantile
 * @param adaptImages images learned after a detection during which the model counts as adapting (no
 *     new detection, and the soft guard is off so that the new regime is learned)
 * @param cusumThreshold log-likelihood threshold of the Bernoulli CUSUM on p90 exceedances; 0 turns
 *     that detector off and leaves ADWIN alone
 * @param adaptLearningRateFactor the learning rate is this many times its setting while adapting
 *     (1: unchanged), so that a sudden change is learned in fewer images
 * @param inputShift smallest relative change of the input's ink (trimmed mean pixel intensity) that
 *     counts as drift, for changes the learner follows without a rise in loss; 0 turns that
 *     detector off ({@link InputShiftDetector})
 * @param inputSettleImages images the ink must go without a change before it is the new reference
 */
public record DriftSettings(
    boolean enabled,
    double delta,
    double minRise,
    long warmupImages,
    int rebaselineImages,
    long adaptImages,
    double cusumThreshold,
    double adaptLearningRateFactor,
    double inputShift,
    long inputSettleImages) {

  public static final double DEFAULT_DELTA = 1e-5;
  public static final double DEFAULT_MIN_RISE = 0.1;
  public static final long DEFAULT_WARMUP = 5_000;
  public static final int DEFAULT_REBASELINE = 1_000;
  public static final long DEFAULT_ADAPT = 5_000;
  public static final double DEFAULT_CUSUM = 15;

  /**
   * Twice the rate while adapting: in {@code bench --only drift} (100,000-image phases) it cut the
   * recovery from a 40-degree rotation from 13,960 to 8,072 images (18,824 without drift handling)
   * and left class-incremental's at 2,280; 3x and 5x did no better on the rotation and worse on the
   * new classes (2,696 and 6,280), and 10x diverged.
   */
  public static final double DEFAULT_ADAPT_LR_FACTOR = 2;

  /**
   * A 10% change of the ink: strokes one pixel thicker double it (0.130 to 0.263), and in the
   * built-in 30,000-image ramp the input detector fired 5,472 images in; the ink of the last 256
   * images of a stationary stream with 1% anomalies stays within ~4% of the settled level (trimmed:
   * noise and negatives are several digits' ink).
   */
  public static final double DEFAULT_INPUT_SHIFT = 0.1;

  public static final long DEFAULT_INPUT_SETTLE = 10_000;

  /** The default learning-rate factor while adapting, and the default input detector. */
  public DriftSettings(
      boolean enabled,
      double delta,
      double minRise,
      long warmupImages,
      int rebaselineImages,
      long adaptImages,
      double cusumThreshold) {
    this(
        enabled,
        delta,
        minRise,
        warmupImages,
        rebaselineImages,
        adaptImages,
        cusumThreshold,
        DEFAULT_ADAPT_LR_FACTOR,
        DEFAULT_INPUT_SHIFT,
        DEFAULT_INPUT_SETTLE);
  }

  /** The defaults, detector on. */
  public static DriftSettings defaults() {
    return new DriftSettings(
        true,
        DEFAULT_DELTA,
        DEFAULT_MIN_RISE,
        DEFAULT_WARMUP,
        DEFAULT_REBASELINE,
        DEFAULT_ADAPT,
        DEFAULT_CUSUM);
  }

  /** Detector off: the trainer as it was before drift handling. */
  public static DriftSettings off() {
    return new DriftSettings(
        false,
        DEFAULT_DELTA,
        DEFAULT_MIN_RISE,
        DEFAULT_WARMUP,
        DEFAULT_REBASELINE,
        DEFAULT_ADAPT,
        DEFAULT_CUSUM);
  }

  public DriftSettings {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("--drift-delta must be in (0, 1), got " + delta);
    }
    if (!(minRise >= 0)) {
      throw new IllegalArgumentException("--drift-min-rise must be at least 0, got " + minRise);
    }
    if (!(cusumThreshold >= 0)) {
      throw new IllegalArgumentException(
          "--drift-cusum-threshold must be at least 0, got " + cusumThreshold);
    }
    if (!(adaptLearningRateFactor > 0 && adaptLearningRateFactor <= 100)) {
      throw new IllegalArgumentException(
          "--drift-adapt-lr-factor must be in (0, 100], got " + adaptLearningRateFactor);
    }
    if (!(inputShift >= 0 && Double.isFinite(inputShift))) {
      throw new IllegalArgumentException(
          "--drift-input-shift must be a number, at least 0, got " + inputShift);
    }
    if (inputSettleImages < 1) {
      throw new IllegalArgumentException(
          "--drift-input-settle must be at least 1, got " + inputSettleImages);
    }
    if (warmupImages < 0 || rebaselineImages < 1 || adaptImages < 0) {
      throw new IllegalArgumentException(
          "--drift-warmup, --drift-rebaseline and --drift-adapt-images must be positive");
    }
  }
}
