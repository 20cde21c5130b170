package dev.vaestream.app.process;

import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.localkafka.LocalKafka;
import java.util.Map;

/**
 * The pipeline's topics on the local broker of the demo and the fault campaign, which does not
 * create topics on first use.
 */
public final class PipelineTopics {
  private PipelineTopics() {}

  /** Creates the pipeline's topics with one partition each, the checkpoint topic compacted. */
  public static void create(LocalKafka broker) {
    broker.createTopic(Topics.IMAGES, 1, Map.of());
    broker.createTopic(Topics.IMAGES_DLQ, 1, Map.of());
    broker.createTopic(Topics.CHECKPOINTS, 1, CheckpointTopic.topicConfigs());
    broker.createTopic(Topics.SCORES, 1, Map.of());
    broker.createTopic(Topics.STATS, 1, Map.of());
  }
}
