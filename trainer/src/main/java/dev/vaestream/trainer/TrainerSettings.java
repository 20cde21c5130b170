package dev.vaestream.trainer;

import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.config.Redaction;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.core.service.HttpEndpoint;
import dev.vaestream.trainer.drift.DriftSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the trainer is configured with, immutable, built once from defaults and flags, in
 * small groups. The defaults live here and nowhere else; the command's flags refer to them.
 *
 * @param kafka layered Kafka client properties (defaults, file, env, flags)
 * @param connectTimeout how long start-up may wait for the cluster
 * @param topics the topics it reads and writes
 * @param groupId the consumer group
 * @param transactionalId fixed, so a second instance fences the first instead of forking the model
 * @param checkpointing when and where checkpoints go
 * @param learning what it learns from and how
 * @param http where /metrics, /health and /reconstructions.png are served
 */
public record TrainerSettings(
    KafkaClientConfig kafka,
    Duration connectTimeout,
    TopicNames topics,
    String groupId,
    String transactionalId,
    Checkpointing checkpointing,
    Learning learning,
    HttpEndpoint http) {

  /** The service name: the metrics' {@code service} tag and the shutdown hook's name. */
  public static final String SERVICE = "trainer";

  /** Default consumer group, transactional id and client id prefix (the ACLs use the same). */
  public static final String DEFAULT_ID = ResourceNames.DEFAULT_TRAINER_ID;

  public static final int DEFAULT_HTTP_PORT = 9402;
  public static final int DEFAULT_CHECKPOINT_EVERY = 500;
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

  /**
   * @param input images to learn from
   * @param checkpoints where checkpoints are published and restored from
   * @param deadLetters where invalid input records go
   * @param replicationFactor replication factor of the topics it creates
   * @param events where drift events go, in the transaction of their checkpoint
   */
  public record TopicNames(
      String input,
      String checkpoints,
      String deadLetters,
      short replicationFactor,
      String events) {
    /** With the standard events topic. */
    public TopicNames(
        String input, String checkpoints, String deadLetters, short replicationFactor) {
      this(input, checkpoints, deadLetters, replicationFactor, Topics.EVENTS);
    }

    public TopicNames {
      requireName(input, "--input-topic");
      requireName(events, "--events-topic");
      requireName(checkpoints, "--checkpoint-topic");
      requireName(deadLetters, "--dlq-topic");
      if (replicationFactor < 1) {
        throw new IllegalArgumentException(
            "--replication-factor must be at least 1, got " + replicationFactor);
      }
    }

    /** The standard topic names with replication factor 1. */
    public static TopicNames standard() {
      return new TopicNames(Topics.IMAGES, Topics.CHECKPOINTS, Topics.IMAGES_DLQ, (short) 1);
    }
  }

  /**
   * @param dir also write checkpoint files here (null: topic only)
   * @param every steps between checkpoints
   * @param interval time between checkpoints when anything changed
   * @param hmacKey checkpoint signing key (null: unsigned)
   */
  public record Checkpointing(Path dir, int every, Duration interval, String hmacKey) {
    public Checkpointing {
      if (every < 1) {
        throw new IllegalArgumentException("--checkpoint-every must be at least 1, got " + every);
      }
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("--checkpoint-interval must be positive");
      }
      hmacKey = hmacKey == null || hmacKey.isEmpty() ? null : hmacKey;
    }

    /** As the generated one, with the signing key masked: settings may end up in a log line. */
    @Override
    public String toString() {
      return Redaction.toString(this, Set.of("hmacKey"));
    }
  }

  /**
   * @param maxSteps stop after this many steps in total (0: unbounded)
   * @param learnSplit learn only from this split (null: every valid image)
   * @param guard the poisoning guard
   * @param seed model seed when starting from scratch
   * @param learningRate Adam's learning rate (1e-3; other values are for experiments and tests)
   * @param drift the drift detector and what a detection does
   */
  public record Learning(
      long maxSteps,
      MnistSplit learnSplit,
      GuardSettings guard,
      long seed,
      double learningRate,
      DriftSettings drift) {
    public Learning {
      if (maxSteps < 0) {
        throw new IllegalArgumentException("--max-steps must be >= 0, got " + maxSteps);
      }
      if (drift == null) {
        drift = DriftSettings.defaults();
      }
    }

    /** With the default drift handling. */
    public Learning(
        long maxSteps, MnistSplit learnSplit, GuardSettings guard, long seed, double learningRate) {
      this(maxSteps, learnSplit, guard, seed, learningRate, DriftSettings.defaults());
    }
  }

  public TrainerSettings {
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("--connect-timeout must be positive");
    }
    requireName(groupId, "--group-id");
    requireName(transactionalId, "--transactional-id");
  }

  private static void requireName(String name, String flag) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(flag + " must not be empty");
    }
  }

  /** The {@code client.id} of one of the trainer's clients, e.g. {@code vae-trainer-input}. */
  static String clientId(String role) {
    return role.isEmpty() ? DEFAULT_ID : DEFAULT_ID + "-" + role;
  }

  // The accessors the trainer's parts use, so that their call sites read as before.

  public String inputTopic() {
    return topics.input();
  }

  public String checkpointTopic() {
    return topics.checkpoints();
  }

  public String dlqTopic() {
    return topics.deadLetters();
  }

  public String eventsTopic() {
    return topics.events();
  }

  public short replicationFactor() {
    return topics.replicationFactor();
  }

  public Path checkpointDir() {
    return checkpointing.dir();
  }

  public int checkpointEvery() {
    return checkpointing.every();
  }

  public Duration checkpointInterval() {
    return checkpointing.interval();
  }

  public String hmacKey() {
    return checkpointing.hmacKey();
  }

  public long maxSteps() {
    return learning.maxSteps();
  }

  public MnistSplit learnSplit() {
    return learning.learnSplit();
  }

  public GuardSettings guard() {
    return learning.guard();
  }

  public DriftSettings drift() {
    return learning.drift();
  }

  public long seed() {
    return learning.seed();
  }

  public double learningRate() {
    return learning.learningRate();
  }

  public String httpHost() {
    return http.host();
  }

  public int httpPort() {
    return http.port();
  }
}
