package dev.vaestream.trainer;

import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.config.Redaction;
import dev.vaestream.core.data.MnistSplit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the trainer is configured with, immutable, built once from defaults and flags.
 *
 * @param kafka layered Kafka client properties (defaults, file, env, flags)
 * @param inputTopic images to learn from
 * @param checkpointTopic where checkpoints are published and restored from
 * @param dlqTopic where invalid input records go
 * @param groupId the consumer group
 * @param transactionalId fixed, so a second instance fences the first instead of forking the model
 * @param checkpointDir also write checkpoint files here (null: topic only)
 * @param maxSteps stop after this many steps in total (0: unbounded)
 * @param checkpointEvery steps between checkpoints
 * @param checkpointInterval time between checkpoints when anything changed
 * @param learnSplit learn only from this split (null: every valid image)
 * @param guard the poisoning guard
 * @param seed model seed when starting from scratch
 * @param hmacKey checkpoint signing key (null: unsigned)
 * @param learningRate Adam's learning rate (1e-3; other values are for experiments and tests)
 * @param checkpointReplication replication factor for a created checkpoint topic
 * @param httpHost interface for /metrics and /health
 * @param httpPort port for /metrics and /health (-1: off)
 */
public record TrainerSettings(
    KafkaClientConfig kafka,
    String inputTopic,
    String checkpointTopic,
    String dlqTopic,
    String groupId,
    String transactionalId,
    Path checkpointDir,
    long maxSteps,
    int checkpointEvery,
    Duration checkpointInterval,
    MnistSplit learnSplit,
    GuardSettings guard,
    long seed,
    String hmacKey,
    double learningRate,
    short checkpointReplication,
    String httpHost,
    int httpPort) {

  /** As the generated one, with the signing key masked: settings may end up in a log line. */
  @Override
  public String toString() {
    return Redaction.toString(this, Set.of("hmacKey"));
  }
}
