package dev.vaestream.trainer;

/**
 * The poisoning guard. Hard part: images scoring above the {@code quantile} of the recent scores
 * are left out of training. Soft part ({@code softFrom < softTo}): an image whose score ranks at
 * {@code r} among the recent scores is learned with probability 1 up to rank {@code softFrom},
 * falling linearly to 0 at rank {@code softTo}; the draw is a pure function of the learner's state,
 * so it replays bit-exactly. Both act once {@code warmup} scores are in the window of {@code
 * windowSize}.
 *
 * <p>Why soft: injected anomalies that still look like digits (rotated, flipped) score around the
 * 85th-95th percentile of real digits, far below any top-1% cut, so a hard p99 guard lets about
 * half of all anomalies be learned. Excluding them with a hard cut at p80 would also drop every
 * hard real digit; the taper learns most of the middle and little of the tail.
 *
 * <p>The soft part ranks an image among the most recent {@code softWindow} images (not the whole
 * calibration window), by its reconstruction error divided by its ink (sum of pixel values) to the
 * power {@code softInkExponent}. Recent, because a young model improves quickly and ranked against
 * older, higher scores it learned a sixth to a half of the anomalies; by ink, because the squared
 * error grows with the strokes' mass, so a heavy real digit and a light flipped one otherwise rank
 * alike. Both were chosen by measurement ({@code docs/performance.md}, "Drift").
 */
public record GuardSettings(
    boolean enabled,
    double quantile,
    int warmup,
    int windowSize,
    boolean soft,
    double softFrom,
    double softTo,
    int softWindow,
    double softInkExponent) {

  public static final double DEFAULT_SOFT_FROM = 0.4;
  public static final double DEFAULT_SOFT_TO = 0.9;
  public static final int DEFAULT_SOFT_WINDOW = 2000;
  public static final double DEFAULT_SOFT_INK_EXPONENT = 0.5;

  /**
   * The trainer's defaults: hard guard at p99 over 10,000 scores, soft from p40 to p90 among the
   * last 2,000 ink-normalised errors.
   */
  public static GuardSettings defaults() {
    return new GuardSettings(true, 0.99, 2000, 10_000, true, DEFAULT_SOFT_FROM, DEFAULT_SOFT_TO);
  }

  /** The hard guard only, as before soft weighting. */
  public GuardSettings(boolean enabled, double quantile, int warmup, int windowSize) {
    this(enabled, quantile, warmup, windowSize, false, DEFAULT_SOFT_FROM, DEFAULT_SOFT_TO);
  }

  /** With the soft guard's default ranking window and ink exponent. */
  public GuardSettings(
      boolean enabled,
      double quantile,
      int warmup,
      int windowSize,
      boolean soft,
      double softFrom,
      double softTo) {
    this(
        enabled,
        quantile,
        warmup,
        windowSize,
        soft,
        softFrom,
        softTo,
        DEFAULT_SOFT_WINDOW,
        DEFAULT_SOFT_INK_EXPONENT);
  }

  /** Validates; messages name the flag to fix. */
  public GuardSettings {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException(
          "--guard-quantile must be between 0 and 1, got " + quantile);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--guard-warmup must be >= 0, got " + warmup);
    }
    if (windowSize < 1) {
      throw new IllegalArgumentException("--guard-window must be at least 1, got " + windowSize);
    }
    if (!(softFrom >= 0 && softFrom < softTo && softTo <= 1)) {
      throw new IllegalArgumentException(
          "--guard-soft-from and --guard-soft-to must satisfy 0 <= from < to <= 1, got "
              + softFrom
              + " and "
              + softTo);
    }
    if (softWindow < 1) {
      throw new IllegalArgumentException(
          "--guard-soft-window must be at least 1, got " + softWindow);
    }
    if (!(softInkExponent >= 0 && softInkExponent <= 2)) {
      throw new IllegalArgumentException(
          "--guard-soft-ink-exponent must be between 0 and 2, got " + softInkExponent);
    }
  }

  /**
   * What the soft guard ranks: the per-pixel error {@code mse} of an image with {@code ink} (its
   * summed pixel values, floored at 1 so a blank image stays finite) divided by ink to the power
   * {@link #softInkExponent}.
   */
  float softScore(float mse, float ink) {
    double mass = Math.max(1f, ink);
    // StrictMath: the same bits on every JVM and JIT tier, so a restored trainer decides alike.
    double norm = softInkExponent == 0.5 ? Math.sqrt(mass) : StrictMath.pow(mass, softInkExponent);
    return (float) (mse / norm);
  }

  /**
   * Probability of learning an image whose score ranks at {@code rank} (share of recent scores
   * below it, in [0, 1]) under the soft guard.
   */
  double acceptance(double rank) {
    if (!soft) {
      return 1;
    }
    return Math.max(0, Math.min(1, (softTo - rank) / (softTo - softFrom)));
  }
}
