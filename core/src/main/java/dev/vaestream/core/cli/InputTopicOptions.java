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
      defaultValue = Topics.IMAGES,
      description =
          "The pipeline's image topic: written by the producer, read by the trainer and the"
              + " scorer (default ${DEFAULT-VALUE}).")
  String inputTopic;

  // Picocli applies defaults to unmatched options after parsing, so the alias keeps its own field
  // and wins over the default (not over an explicit --input-topic of another name).
  private String deprecatedTopic;

  /** The old spelling on the producer and the trainer. */
  @Option(names = "--topic", paramLabel = "TOPIC", hidden = true)
  void deprecatedTopic(String topic) {
    Deprecations.flag("--topic", "--input-topic");
    deprecatedTopic = topic;
  }

  /** {@code --input-topic}, else the deprecated {@code --topic}, else {@code mnist.images}. */
  public String inputTopic() {
    if (deprecatedTopic != null && (inputTopic == null || Topics.IMAGES.equals(inputTopic))) {
      return deprecatedTopic;
    }
    return inputTopic != null ? inputTopic : Topics.IMAGES;
  }
}
