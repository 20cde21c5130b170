package dev.vaestream.core.checkpoint;

import dev.vaestream.core.record.ScoreRecord;
import java.util.Map;

/**
 * The checkpoint metadata the trainer publishes for scorers about detected changes of the stream
 * (format version 2, {@code docs/formats.md}), and how a scorer reads it: the one place that names
 * these keys, so that trainer and scorer cannot drift apart.
 */
public final class DriftMetadata {
  /** Drift detections the model has seen. */
  public static final String EVENTS = "drift.events";

  /** Images learned since the last detection (since the start when there was none). */
  public static final String IMAGES_SINCE = "drift.images_since";

  /** The trainer's adapt window ({@code --drift-adapt-images}): adapting while below it. */
  public static final String ADAPT_IMAGES = "drift.adapt_images";

  /**
   * The adapt window assumed when a checkpoint has the counts but not the window (trainers of the
   * first drift release): the trainer's default.
   */
  public static final long DEFAULT_ADAPT_IMAGES = 5_000;

  private DriftMetadata() {}

  /**
   * The drift context of a checkpoint with this metadata, or null when it carries none (offline
   * models, version-1 checkpoints) or carries unreadable values (then no claim is better than a
   * wrong one).
   */
  public static ScoreRecord.Drift read(Map<String, String> metadata) {
    String events = metadata.get(EVENTS);
    String since = metadata.get(IMAGES_SINCE);
    if (events == null || since == null) {
      return null;
    }
    try {
      long e = Long.parseLong(events.trim());
      long s = Long.parseLong(since.trim());
      String window = metadata.get(ADAPT_IMAGES);
      long adapt = window == null ? DEFAULT_ADAPT_IMAGES : Long.parseLong(window.trim());
      if (e < 0 || s < 0 || adapt < 0) {
        return null;
      }
      return new ScoreRecord.Drift(e, s, e > 0 && s < adapt);
    } catch (NumberFormatException ex) {
      return null;
    }
  }
}
