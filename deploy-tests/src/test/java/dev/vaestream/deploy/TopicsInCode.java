package dev.vaestream.deploy;

import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Topics;
import java.util.List;
import java.util.Map;

/**
 * The topics as the code defines them, for comparing with the chart's KafkaTopic resources. The one
 * place to switch to {@code TopicCatalog.standard(inputPartitions, replicationFactor)} when the
 * catalogue lands in core/kafka.
 *
 * <p>Today each service creates what it writes when missing: the producer {@code mnist.images} with
 * {@code --partitions} (the chart passes {@code kafka.inputPartitions}); the trainer {@code
 * vae.checkpoints} (1 partition, {@link CheckpointTopic#topicConfigs()}); the scorer {@code
 * anomaly.scores} and {@code mnist.images.dlq} with the input's partition count and {@code
 * anomaly.stats} with one. (The trainer would create the dead-letter topic with one partition if it
 * started first; the catalogue settles on the input's count, as the chart does.)
 */
final class TopicsInCode {
  /** One topic: name, partitions, configs. */
  record Topic(String name, int partitions, Map<String, String> configs) {}

  private TopicsInCode() {}

  static List<Topic> expected(int inputPartitions) {
    return List.of(
        new Topic(Topics.IMAGES, inputPartitions, Map.of()),
        new Topic(Topics.IMAGES_DLQ, inputPartitions, Map.of()),
        new Topic(Topics.CHECKPOINTS, 1, CheckpointTopic.topicConfigs()),
        new Topic(Topics.SCORES, inputPartitions, Map.of()),
        new Topic(Topics.STATS, 1, Map.of()));
  }
}
