package dev.vaestream.producer;

import dev.vaestream.core.data.AnomalyKind;
import java.util.Collections;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What to stream from one MNIST split: how many passes, in which order, how many images at most,
 * and which anomalies to inject. Pure data, so an {@link ImageSource} built from the same plan and
 * data always yields the same images in the same order.
 *
 * @param epochs passes over the split; ignored when {@code loop} is set
 * @param loop pass over the split forever (until {@code limit} or a stop)
 * @param shuffle a fresh reproducible permutation on every pass instead of index order
 * @param seed seeds the shuffles and the anomaly draws
 * @param limit at most this many images in total, over all passes
 * @param anomalyRate probability in [0, 1] that an image is replaced by an anomaly
 * @param anomalyKinds the kinds to draw from, uniformly; not empty
 */
public record StreamPlan(
    long epochs,
    boolean loop,
    boolean shuffle,
    long seed,
    OptionalLong limit,
    double anomalyRate,
    Set<AnomalyKind> anomalyKinds) {

  /** Validates; messages name the flag to fix. */
  public StreamPlan {
    if (!loop && epochs < 1) {
      throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
    }
    if (limit == null) {
      limit = OptionalLong.empty();
    }
    if (limit.isPresent() && limit.getAsLong() < 1) {
      throw new IllegalArgumentException("--limit must be at least 1, got " + limit.getAsLong());
    }
    if (!(anomalyRate >= 0 && anomalyRate <= 1)) {
      throw new IllegalArgumentException(
          "--anomaly-rate must be between 0 and 1, got " + anomalyRate);
    }
    if (anomalyKinds == null || anomalyKinds.isEmpty()) {
      throw new IllegalArgumentException(
          "--anomaly-kinds must name at least one of " + AnomalyKind.wireNames());
    }
    // EnumSet: iteration in declaration order, so the draw does not depend on flag order.
    anomalyKinds = Collections.unmodifiableSet(EnumSet.copyOf(anomalyKinds));
  }

  /** One pass in index order, no limit, no anomalies. */
  public static StreamPlan onePass() {
    return new StreamPlan(
        1, false, false, 0, OptionalLong.empty(), 0, EnumSet.allOf(AnomalyKind.class));
  }

  /** Whether the stream ends by itself (epochs, or a limit on a loop). */
  public boolean bounded() {
    return !loop || limit.isPresent();
  }

  /** How many images the plan yields from a split of {@code splitSize}, or empty if endless. */
  public OptionalLong total(int splitSize) {
    if (splitSize == 0) {
      return OptionalLong.of(0);
    }
    if (loop) {
      return limit;
    }
    long all = multiplyCapped(epochs, splitSize);
    return OptionalLong.of(limit.isPresent() ? Math.min(all, limit.getAsLong()) : all);
  }

  private static long multiplyCapped(long a, long b) {
    return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
