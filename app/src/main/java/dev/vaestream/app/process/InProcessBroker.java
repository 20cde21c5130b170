package dev.vaestream.app.process;

import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.testsupport.EmbeddedKafka;
import java.util.Map;
import org.apache.kafka.common.utils.Exit;

/** Starts the in-process KRaft broker of the commands that need one (demo, chaos). */
public final class InProcessBroker {
  private InProcessBroker() {}

  /** A broker in this JVM, safe to stop with Ctrl-C or SIGTERM. */
  public static EmbeddedKafka start() {
    return start(false);
  }

  /**
   * As {@link #start()}; {@code secured}: SASL_SSL with SCRAM users and deny-by-default ACLs (see
   * {@link SecuredPipeline}).
   */
  public static EmbeddedKafka start(boolean secured) {
    // Kafka's test kit deletes its directories from a JVM shutdown hook; on SIGTERM that races the
    // graceful stop, the broker loses its log dir and halts the JVM with the services still
    // running. EmbeddedKafka.close() deletes the directory itself.
    Exit.setShutdownHookAdder(
        (name, hook) -> {
          if (!"delete-temp-file-shutdown-hook".equals(name)) {
            Runtime.getRuntime().addShutdownHook(new Thread(hook, name));
          }
        });
    return secured ? EmbeddedKafka.startSecured() : EmbeddedKafka.start();
  }

  /** The pipeline's topics with one partition each, the checkpoint topic compacted. */
  public static void createPipelineTopics(EmbeddedKafka broker) {
    broker.createTopic(Topics.IMAGES, 1, Map.of());
    broker.createTopic(Topics.IMAGES_DLQ, 1, Map.of());
    broker.createTopic(Topics.CHECKPOINTS, 1, CheckpointTopic.topicConfigs());
    broker.createTopic(Topics.SCORES, 1, Map.of());
    broker.createTopic(Topics.STATS, 1, Map.of());
  }
}
