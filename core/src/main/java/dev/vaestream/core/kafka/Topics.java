package dev.vaestream.core.kafka;

/** The topic names every service agrees on. */
public final class Topics {
  /** Input images, written by the producer. */
  public static final String IMAGES = "mnist.images";

  /** Rejected input records with a reason header. */
  public static final String IMAGES_DLQ = "mnist.images.dlq";

  /** Model checkpoints, compacted; written by the trainer, followed by the scorer. */
  public static final String CHECKPOINTS = "vae.checkpoints";

  /** One anomaly score per image, written by the scorer. */
  public static final String SCORES = "anomaly.scores";

  /** Windowed statistics over the scores. */
  public static final String STATS = "anomaly.stats";

  /** Model events (drift detections) as JSON, written by the trainer with its checkpoints. */
  public static final String EVENTS = "vae.events";

  private Topics() {}

  /**
   * The statistics' input: each scorer transaction's partial statistics, one small record per
   * window it scored in, which the statistics stream merges into {@link #STATS}. Named after the
   * statistics' Kafka Streams {@code application.id} ({@code <id>-score-partials}, e.g. {@code
   * vae-scorer-stats-score-partials}) like the stream's own internal topics, whose ACLs cover it.
   */
  public static String statsPartials(String statsApplicationId) {
    return statsApplicationId + "-score-partials";
  }
}
