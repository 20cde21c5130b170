package dev.vaestream.core.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one topic should look like: its name, partition count, replication factor and the topic
 * configs that matter to the pipeline (e.g. {@code cleanup.policy=compact} for checkpoints). The
 * same definition creates the topic, verifies an existing one, and is what the deployment files
 * (compose's topic-init, Strimzi's {@code KafkaTopic}s) must agree with.
 *
 * @param name the topic name
 * @param partitions the partition count, at least 1
 * @param replicationFactor the replica count, at least 1
 * @param configs topic configs, sorted by key; unmentioned configs keep the broker's defaults
 */
public record TopicDefinition(
    String name, int partitions, short replicationFactor, Map<String, String> configs) {
  public TopicDefinition {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a topic needs a name");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "topic " + name + " needs at least 1 partition, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "topic " + name + " needs a replication factor of at least 1, got " + replicationFactor);
    }
    configs = java.util.Collections.unmodifiableMap(new TreeMap<>(configs));
  }

  /** The same definition under another name (e.g. {@code --checkpoint-topic}). */
  public TopicDefinition named(String otherName) {
    return new TopicDefinition(otherName, partitions, replicationFactor, configs);
  }

  /** The same definition with another partition count. */
  public TopicDefinition withPartitions(int otherPartitions) {
    return new TopicDefinition(name, otherPartitions, replicationFactor, configs);
  }

  /** The same definition with another replication factor. */
  public TopicDefinition withReplicationFactor(short otherReplicationFactor) {
    return new TopicDefinition(name, partitions, otherReplicationFactor, configs);
  }
}
