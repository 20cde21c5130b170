package dev.vaestream.trainer;

/**
 * The poisoning guard: images scoring above the {@code quantile} of recent learned images' scores
 * are left out of training, once {@code warmup} scores are in the window of {@code windowSize}.
 */
public record GuardSettings(boolean enabled, double quantile, int warmup, int windowSize) {
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
  }
}
