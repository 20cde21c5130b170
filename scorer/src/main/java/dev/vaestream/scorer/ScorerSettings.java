package dev.vaestream.scorer;

import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.config.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Everything one scorer process needs, built once from the flags and immutable afterwards.
 *
 * @param kafka layered client properties (file, environment, flags) shared by every client
 * @param instanceId this instance's stable name; derives the transactional and static member ids
 * @param groupId the input consumer group, shared by all scorer instances
 * @param inputTopic images to score
 * @param scoresTopic where the scores go
 * @param dlqTopic where invalid input records go
 * @param checkpointTopic the checkpoints to follow
 * @param statsTopic where the windowed statistics go
 * @param checkpointKey HMAC key checkpoints must be signed with, or null for none
 * @param threshold how each model's anomaly threshold is chosen
 * @param maxBatch most records per poll, and so per forward pass
 * @param commitInterval longest a transaction stays open while input keeps arriving
 * @param partitions partitions of output topics the scorer creates; 0: as many as the input
 * @param replicationFactor replication of output topics the scorer creates
 * @param connectTimeout how long start-up may wait for the cluster
 * @param stats windowed statistics; null when disabled ({@code --no-stats})
 * @param httpHost interface for {@code /metrics}, {@code /health}, {@code /ready}
 * @param httpPort port for them; -1 disables them, 0 picks a free one
 */
public record ScorerSettings(
    KafkaClientConfig kafka,
    String instanceId,
    String groupId,
    String inputTopic,
    String scoresTopic,
    String dlqTopic,
    String checkpointTopic,
    String statsTopic,
    String checkpointKey,
    ThresholdPolicy threshold,
    int maxBatch,
    Duration commitInterval,
    int partitions,
    short replicationFactor,
    Duration connectTimeout,
    Stats stats,
    String httpHost,
    int httpPort) {

  /** Default port of the scorer's HTTP endpoint. */
  public static final int DEFAULT_HTTP_PORT = 9403;

  /** Default consumer group of the scorer instances. */
  public static final String DEFAULT_GROUP_ID = "vae-scorer";

  /** The service name in DLQ headers, metric tags and logs. */
  public static final String SERVICE = "scorer";

  /** Validates; messages name the flag to fix. */
  public ScorerSettings {
    requireName(instanceId, "--instance-id");
    requireName(groupId, "--group-id");
    requireName(inputTopic, "--input-topic");
    requireName(scoresTopic, "--scores-topic");
    requireName(dlqTopic, "--dlq-topic");
    requireName(checkpointTopic, "--checkpoint-topic");
    requireName(statsTopic, "--stats-topic");
    if (maxBatch < 1 || maxBatch > 10_000) {
      throw new IllegalArgumentException("--max-batch must be 1..10000, got " + maxBatch);
    }
    if (commitInterval.isNegative() || commitInterval.toMillis() > 60_000) {
      throw new IllegalArgumentException(
          "--commit-interval-ms must be 0..60000, got " + commitInterval.toMillis());
    }
    if (partitions < 0) {
      throw new IllegalArgumentException("--partitions must be >= 0, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "--replication-factor must be >= 1, got " + replicationFactor);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("--connect-timeout-seconds must be positive");
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be a port number, 0 (any) or -1 (off), got " + httpPort);
    }
  }

  /** As the generated one, with the signing key masked: settings may end up in a log line. */
  @Override
  public String toString() {
    return Redaction.toString(this, Set.of("checkpointKey"));
  }

  /** {@code transactional.id} of the score producer: stable per instance, fences its zombies. */
  public String transactionalId() {
    return groupId + "-" + instanceId;
  }

  /** {@code client.id} prefix of this instance's clients. */
  public String clientId() {
    return groupId + "-" + instanceId;
  }

  private static void requireName(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(flag + " must not be empty");
    }
  }

  /**
   * The in-process Kafka Streams statistics.
   *
   * @param applicationId Streams {@code application.id}, shared by all scorer instances
   * @param window tumbling window size
   * @param grace how long a window accepts late records before it closes
   * @param stateDir the Streams state directory
   * @param overrides extra Streams properties ({@code --stats-config}); they win over defaults
   */
  public record Stats(
      String applicationId,
      Duration window,
      Duration grace,
      Path stateDir,
      Map<String, String> overrides) {
    public Stats {
      requireName(applicationId, "--stats-application-id");
      if (window.toMillis() < 1) {
        throw new IllegalArgumentException("--stats-window-seconds must be positive");
      }
      if (grace.isNegative()) {
        throw new IllegalArgumentException("--stats-grace-seconds must be >= 0");
      }
      overrides = Map.copyOf(overrides);
    }

    /** As the generated one, with secret Streams properties (e.g. SASL settings) masked. */
    @Override
    public String toString() {
      return "Stats[applicationId=%s, window=%s, grace=%s, stateDir=%s, overrides=%s]"
          .formatted(applicationId, window, grace, stateDir, Redaction.properties(overrides));
    }
  }
}
