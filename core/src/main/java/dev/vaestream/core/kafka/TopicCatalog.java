package dev.vaestream.core.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The one list of the pipeline's topics and how each is set up. Services create what they write
 * from here, {@code bin/vae-stream topics} creates or verifies all of them, and the deployment
 * files (compose, Helm/Strimzi) are checked against it. Change a topic's settings here, nowhere
 * else.
 *
 * <ul>
 *   <li>{@code mnist.images}: the input, {@code inputPartitions} partitions (the unit of scaling).
 *   <li>{@code mnist.images.dlq}: copies of rejected input, partitioned like the input.
 *   <li>{@code vae.checkpoints}: one partition (a total order of checkpoints), compacted so the
 *       newest {@link CheckpointTopic#RING_SIZE} survive, with room for 16 MiB records.
 *   <li>{@code anomaly.scores}: one score per image, partitioned like the input.
 *   <li>{@code anomaly.stats}: windowed statistics, one partition.
 * </ul>
 *
 * <p>Not in {@link #standard}: the statistics' internal input, {@link #statsPartials}, named after
 * their Streams application id and created by the scorer like the stream's own internal topics.
 */
public final class TopicCatalog {
  /** The input partitions when nothing else is said (the producer's and compose's default). */
  public static final int DEFAULT_INPUT_PARTITIONS = 3;

  /** The replication factor when nothing else is said (a one-broker development cluster). */
  public static final short DEFAULT_REPLICATION_FACTOR = 1;

  /**
   * The replication factor the pipeline's guarantees assume on a cluster of three or more brokers:
   * an acknowledged record survives the loss of a broker (docs/fault-campaign.md).
   */
  public static final short DURABLE_REPLICATION_FACTOR = 3;

  /**
   * The {@code min.insync.replicas} those guarantees assume: with {@code acks=all} a record is on
   * two replicas before it is acknowledged.
   */
  public static final int DURABLE_MIN_IN_SYNC_REPLICAS = 2;

  /** Segment size of the checkpoint topic: a few checkpoints per segment, so compaction acts. */
  static final int CHECKPOINT_SEGMENT_BYTES = 64 * 1024 * 1024;

  /** How long a checkpoint stays uncompacted, so a slow reader still finds the one it was told. */
  static final long CHECKPOINT_MIN_COMPACTION_LAG_MS = 60_000;

  private TopicCatalog() {}

  /** Every topic of the pipeline, in data-path order. */
  public static List<TopicDefinition> standard(int inputPartitions, short replicationFactor) {
    return List.of(
        images(inputPartitions, replicationFactor),
        deadLetters(inputPartitions, replicationFactor),
        checkpoints(replicationFactor),
        scores(inputPartitions, replicationFactor),
        stats(replicationFactor),
        events(replicationFactor));
  }

  /** {@link #standard(int, short)} with the defaults. */
  public static List<TopicDefinition> standard() {
    return standard(DEFAULT_INPUT_PARTITIONS, DEFAULT_REPLICATION_FACTOR);
  }

  /** The input images. */
  public static TopicDefinition images(int inputPartitions, short replicationFactor) {
    return new TopicDefinition(Topics.IMAGES, inputPartitions, replicationFactor, Map.of());
  }

  /** Rejected input records (written by the trainer and the scorer). */
  public static TopicDefinition deadLetters(int inputPartitions, short replicationFactor) {
    return new TopicDefinition(Topics.IMAGES_DLQ, inputPartitions, replicationFactor, Map.of());
  }

  /** Model checkpoints: one partition, compacted, large records. */
  public static TopicDefinition checkpoints(short replicationFactor) {
    return new TopicDefinition(
        Topics.CHECKPOINTS,
        1,
        replicationFactor,
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            Integer.toString(CheckpointTopic.MAX_RECORD_BYTES),
            TopicConfig.SEGMENT_BYTES_CONFIG,
            Integer.toString(CHECKPOINT_SEGMENT_BYTES),
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
            Long.toString(CHECKPOINT_MIN_COMPACTION_LAG_MS)));
  }

  /** One anomaly score per image. */
  public static TopicDefinition scores(int inputPartitions, short replicationFactor) {
    return new TopicDefinition(Topics.SCORES, inputPartitions, replicationFactor, Map.of());
  }

  /** Windowed statistics over the scores. */
  public static TopicDefinition stats(short replicationFactor) {
    return new TopicDefinition(Topics.STATS, 1, replicationFactor, Map.of());
  }

  /** How long partial statistics are kept: a day for the statistics stream to catch up. */
  static final long STATS_PARTIALS_RETENTION_MS = 24L * 60 * 60 * 1000;

  /**
   * The scorers' partial statistics, {@code topic} ({@link Topics#statsPartials}): one partition
   * (one task merges them), kept a day.
   */
  public static TopicDefinition statsPartials(String topic, short replicationFactor) {
    return new TopicDefinition(
        topic,
        1,
        replicationFactor,
        Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(STATS_PARTIALS_RETENTION_MS)));
  }

  /** Model events (drift detections): one partition, so they stay in order; few and small. */
  public static TopicDefinition events(short replicationFactor) {
    return new TopicDefinition(Topics.EVENTS, 1, replicationFactor, Map.of());
  }
}
