package dev.vaestream.core.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How an existing topic differs from its {@link TopicDefinition}, and what on a production-sized
 * cluster makes it less durable than the fault campaign needs: the pure part of {@link
 * TopicSetup}'s checks, from what the Admin API described, so every message is decided in one place
 * and tested without a broker.
 */
final class TopicDifferences {
  private TopicDifferences() {}

  /**
   * Every setting that differs: partitions, replication factor and each defined config ({@code
   * config} null when it could not be described: then only the first two).
   */
  static List<String> of(TopicDefinition wanted, int partitions, int replicas, Config config) {
    String topic = wanted.name();
    List<String> differences = new ArrayList<>();
    if (partitions != wanted.partitions()) {
      differences.add(
          "topic "
              + topic
              + " has "
              + partitions
              + " partition(s), defined with "
              + wanted.partitions()
              + "; used as it is ("
              + (partitions < wanted.partitions()
                  ? "fewer partitions limit how many consumers can share the load"
                  : "extra partitions are harmless")
              + ")");
    }
    if (replicas != wanted.replicationFactor()) {
      differences.add(
          "topic "
              + topic
              + " has replication factor "
              + replicas
              + ", defined with "
              + wanted.replicationFactor()
              + "; used as it is"
              + (replicas < wanted.replicationFactor() ? " (less durable than defined)" : ""));
    }
    if (config != null) {
      for (Map.Entry<String, String> e : wanted.configs().entrySet()) {
        ConfigEntry entry = config.get(e.getKey());
        String value = entry == null ? null : entry.value();
        if (!e.getValue().equals(value)) {
          differences.add(
              "topic "
                  + topic
                  + " has "
                  + e.getKey()
                  + "="
                  + value
                  + ", defined with "
                  + e.getKey()
                  + "="
                  + e.getValue());
        }
      }
    }
    return differences;
  }

  /** The topic's {@code min.insync.replicas}, 0 when {@code config} is null or lacks it. */
  static int minInSyncReplicas(Config config) {
    ConfigEntry minIsr =
        config == null ? null : config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    return minIsr == null || minIsr.value() == null ? 0 : Integer.parseInt(minIsr.value().trim());
  }

  /**
   * On a cluster of at least {@link TopicCatalog#DURABLE_REPLICATION_FACTOR} brokers: a warning for
   * a replication factor below it, and for a {@code min.insync.replicas} ({@code minIsr}, -1 when
   * unknown) below {@link TopicCatalog#DURABLE_MIN_IN_SYNC_REPLICAS}. Smaller clusters
   * (development) cannot do better and get none.
   */
  static List<String> durabilityWarnings(String topic, int brokers, int replicas, int minIsr) {
    if (brokers < TopicCatalog.DURABLE_REPLICATION_FACTOR) {
      return List.of();
    }
    List<String> warnings = new ArrayList<>();
    if (replicas < TopicCatalog.DURABLE_REPLICATION_FACTOR) {
      warnings.add(
          "topic "
              + topic
              + " has replication factor "
              + replicas
              + " on a cluster of "
              + brokers
              + " brokers: losing a broker can lose acknowledged records or stop the pipeline;"
              + " use "
              + TopicCatalog.DURABLE_REPLICATION_FACTOR
              + " (docs/fault-campaign.md)");
    }
    if (minIsr >= 0 && minIsr < TopicCatalog.DURABLE_MIN_IN_SYNC_REPLICAS) {
      warnings.add(
          "topic "
              + topic
              + " has "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + "="
              + minIsr
              + ": an acks=all write is acknowledged by a single replica, which one broker"
              + " failure can lose; set "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + "="
              + TopicCatalog.DURABLE_MIN_IN_SYNC_REPLICAS
              + " (docs/fault-campaign.md)");
    }
    return warnings;
  }
}
