package dev.vaestream.deploy;

import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import java.util.List;

/**
 * The topics as the code defines them ({@link TopicCatalog}, the one list every service creates
 * from), for comparing with the chart's KafkaTopic resources.
 */
final class TopicsInCode {
  private TopicsInCode() {}

  static List<TopicDefinition> expected(int inputPartitions, int replicationFactor) {
    return TopicCatalog.standard(inputPartitions, (short) replicationFactor);
  }
}
