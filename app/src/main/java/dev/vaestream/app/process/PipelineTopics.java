package dev.vaestream.app.process;

import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.localkafka.LocalKafka;

/**
 * The pipeline's topics on the local broker of the demo and the fault campaign, which does not
 * create topics on first use: the standard {@link TopicCatalog} with one partition each.
 */
public final class PipelineTopics {
  private PipelineTopics() {}

  /** Creates every topic of the catalogue with one partition (the checkpoint topic compacted). */
  public static void create(LocalKafka broker) {
    for (TopicDefinition t : TopicCatalog.standard(1, (short) 1)) {
      broker.createTopic(t.name(), t.partitions(), t.configs());
    }
  }
}
