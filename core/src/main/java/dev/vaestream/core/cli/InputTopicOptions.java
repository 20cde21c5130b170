package dev.vaestream.core.cli;

import dev.vaestream.core.kafka.Topics;
import picocli.CommandLine.Option;

/**
 * {@code --input-topic}, the one name of the pipeline's image topic on every service: the producer
 * writes it, the trainer and the scorer read it. {@code --topic}, the producer's and the trainer's
 * old spelling, still works and prints a deprecation warning.
 */
public final class InputTopicOptions {
  @Option(
      names = "--input-topic",
      paramLabel = "TOPIC",
      description =
          "The pipeline's image topic: written by the producer, read by the trainer and the"
              + " scorer (default "
              + Topics.IMAGES
              + ").")
  String inputTopic;

  // Picocli applies defaults to unmatched options after parsing, so the alias keeps its own field.
  private String deprecatedTopic;

  /** The old spelling on the producer and the trainer. */
  @Option(names = "--topic", paramLabel = "TOPIC", hidden = true)
  void deprecatedTopic(String topic) {
    Deprecations.flag("--topic", "--input-topic");
    deprecatedTopic = topic;
  }

  /** {@code --input-topic}, else the deprecated {@code --topic}, else {@code mnist.images}. */
  public String inputTopic() {
    return inputTopic != null
        ? inputTopic
        : deprecatedTopic != null ? deprecatedTopic : Topics.IMAGES;
  }
}
