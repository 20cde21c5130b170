package dev.vaestream.scorer;

import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.config.Redaction;
import dev.vaestream.core.service.HttpEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Everything one scorer process needs, built once from the flags and immutable afterwards, in small
 * groups. The defaults live here and nowhere else; the command's flags refer to them.
 *
 * @param kafka layered client properties (file, environment, flags) shared by every client
 * @param connectTimeout how long start-up may wait for the cluster
 * @param instanceId this instance's stable name; derives the transactional and static member ids
 * @param groupId the input consumer group, shared by all scorer instances
 * @param topics the topics it reads, writes and creates
 * @param model which checkpoints it loads and how it picks the threshold
 * @param batching how much it scores at once and how long a transaction stays open
 * @param partials where it writes its partial statistics, whether or not it runs the statistics
 * @param stats the windowed statistics stream in this process; null when disabled ({@code
 *     --no-stats})
 * @param http where {@code /metrics}, {@code /health}, {@code /ready} are served
 */
public record ScorerSettings(
    KafkaClientConfig kafka,
    Duration connectTimeout,
    String instanceId,
    String groupId,
    TopicNames topics,
    ModelPolicy model,
    Batching batching,
    Partials partials,
    Stats stats,
    HttpEndpoint http) {

  /** Default longest time a transaction stays open while a backlog is read. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

  /** Default statistics window. */
  public static final Duration DEFAULT_STATS_WINDOW = Duration.ofSeconds(60);

  /** Default time a statistics window waits for late partial statistics. */
  public static final Duration DEFAULT_STATS_GRACE = Duration.ofSeconds(10);

  /** Default most images per poll and forward pass. */
  public static final int DEFAULT_MAX_BATCH = 512;

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
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("--connect-timeout must be positive");
    }
  }

  /**
   * @param input images to score
   * @param scores where the scores go
   * @param deadLetters where invalid input records go
   * @param checkpoints the checkpoints to follow
   * @param stats where the windowed statistics go
   * @param partitions partitions of output topics the scorer creates; 0: as many as the input
   * @param replicationFactor replication of output topics the scorer creates
   */
  public record TopicNames(
      String input,
      String scores,
      String deadLetters,
      String checkpoints,
      String stats,
      int partitions,
      short replicationFactor) {
    public TopicNames {
      requireName(input, "--input-topic");
      requireName(scores, "--scores-topic");
      requireName(deadLetters, "--dlq-topic");
      requireName(checkpoints, "--checkpoint-topic");
      requireName(stats, "--stats-topic");
      if (partitions < 0) {
        throw new IllegalArgumentException("--partitions must be >= 0, got " + partitions);
      }
      if (replicationFactor < 1) {
        throw new IllegalArgumentException(
            "--replication-factor must be >= 1, got " + replicationFactor);
      }
    }
  }

  /**
   * @param checkpointKey HMAC key checkpoints must be signed with, or null for none
   * @param threshold how each model's anomaly threshold is chosen
   */
  public record ModelPolicy(String checkpointKey, ThresholdPolicy threshold) {
    public ModelPolicy {
      checkpointKey = checkpointKey == null || checkpointKey.isEmpty() ? null : checkpointKey;
    }

    /** As the generated one, with the signing key masked: settings may end up in a log line. */
    @Override
    public String toString() {
      return Redaction.toString(this, Set.of("checkpointKey"));
    }
  }

  /**
   * @param maxBatch most records per poll, and so per forward pass
   * @param commitInterval longest a transaction stays open while input keeps arriving
   * @param pipelined whether the forward pass runs on its own thread ({@link ForwardWorker})
   */
  public record Batching(int maxBatch, Duration commitInterval, boolean pipelined) {
    public Batching {
      if (maxBatch < 1 || maxBatch > 10_000) {
        throw new IllegalArgumentException("--max-batch must be 1..10000, got " + maxBatch);
      }
      if (commitInterval.isNegative() || commitInterval.toMillis() > 60_000) {
        throw new IllegalArgumentException(
            "--commit-interval must be 0..60s, got " + commitInterval.toMillis() + " ms");
      }
    }
  }

  // The accessors the scorer's parts use, so that their call sites read as before.

  public String inputTopic() {
    return topics.input();
  }

  public String scoresTopic() {
    return topics.scores();
  }

  public String dlqTopic() {
    return topics.deadLetters();
  }

  public String checkpointTopic() {
    return topics.checkpoints();
  }

  public String statsTopic() {
    return topics.stats();
  }

  public int partitions() {
    return topics.partitions();
  }

  public short replicationFactor() {
    return topics.replicationFactor();
  }

  public String checkpointKey() {
    return model.checkpointKey();
  }

  public ThresholdPolicy threshold() {
    return model.threshold();
  }

  public int maxBatch() {
    return batching.maxBatch();
  }

  public Duration commitInterval() {
    return batching.commitInterval();
  }

  /** Where this scorer writes its partial statistics. */
  public String statsPartialsTopic() {
    return partials.topic();
  }

  /** Whether the forward pass runs on its own thread ({@code --[no-]pipeline}). */
  public boolean pipelined() {
    return batching.pipelined();
  }

  public String httpHost() {
    return http.host();
  }

  public int httpPort() {
    return http.port();
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
   * Where every scorer writes the partial statistics of each transaction, one record per window it
   * scored in, for the statistics stream (in this process or another) to merge. Written even with
   * {@code --no-stats}, so the statistics count every score whichever scorers run the stream.
   *
   * @param topic {@code <stats-application-id>-score-partials}
   * @param window the statistics window the partials are cut by ({@code --stats-window})
   */
  public record Partials(String topic, Duration window) {
    public Partials {
      requireName(topic, "--stats-application-id");
      if (window.toMillis() < 1) {
        throw new IllegalArgumentException("--stats-window must be positive");
      }
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
        throw new IllegalArgumentException("--stats-window must be positive");
      }
      if (grace.isNegative()) {
        throw new IllegalArgumentException("--stats-grace must be >= 0");
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
