package dev.vaestream.trainer;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.GracefulShutdown;
import dev.vaestream.core.cli.HttpOptions;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.TopicAdmin;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.model.Nd4jRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/vae-stream trainer}: learns the VAE online from {@code mnist.images} and publishes
 * checkpoints to {@code vae.checkpoints} exactly once. Parse, build, start, wait.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description = {
      "Learn the VAE online from Kafka: one Adam step per batch of 32 images, checkpoints"
          + " published in the same transaction as the input offsets."
    })
public final class TrainerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(TrainerCommand.class);
  private static final int DEFAULT_HTTP_PORT = 9402;

  @Mixin KafkaOptions kafka;
  @Mixin HttpOptions http;

  @Option(names = "--topic", defaultValue = Topics.IMAGES, description = "Input topic.")
  String topic;

  @Option(
      names = "--checkpoint-topic",
      defaultValue = Topics.CHECKPOINTS,
      description = "Checkpoint topic (default ${DEFAULT-VALUE}).")
  String checkpointTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = Topics.IMAGES_DLQ,
      description = "Dead-letter topic (default ${DEFAULT-VALUE}).")
  String dlqTopic;

  @Option(
      names = "--initial-checkpoint",
      paramLabel = "FILE",
      description =
          "Seed an empty checkpoint topic from this --checkpoint-dir file before restoring (a"
              + " topic that holds checkpoints is left alone): restores the model after the"
              + " topic was lost.")
  Path initialCheckpoint;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description = "Also write each checkpoint here, keeping DIR/latest as the newest.")
  Path checkpointDir;

  @Option(
      names = "--max-steps",
      defaultValue = "0",
      description = "Stop after this many steps in total, counted from the checkpoint (0: never).")
  long maxSteps;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "500",
      description = "Steps between checkpoints (default ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description = "Also checkpoint this often when anything changed (default ${DEFAULT-VALUE}).")
  int checkpointIntervalSeconds;

  @Option(
      names = "--learn-split",
      paramLabel = "train|test",
      description = "Learn only from images of this split (default: every valid image).")
  String learnSplit;

  @Option(
      names = "--guard",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Poisoning guard: leave out images scoring above the threshold (default on).")
  boolean guard;

  @Option(
      names = "--guard-quantile",
      defaultValue = "0.99",
      description =
          "Quantile of recent scores used as the guard threshold (default ${DEFAULT-VALUE}).")
  double guardQuantile;

  @Option(
      names = "--guard-warmup",
      defaultValue = "2000",
      description = "Scores needed before the guard acts (default ${DEFAULT-VALUE}).")
  int guardWarmup;

  @Option(
      names = "--guard-window",
      defaultValue = "10000",
      description = "Recent scores kept for calibration (default ${DEFAULT-VALUE}).")
  int guardWindow;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of a new model.")
  long seed;

  @Option(
      names = "--group-id",
      defaultValue = "vae-trainer",
      description = "Consumer group (default ${DEFAULT-VALUE}).")
  String groupId;

  @Option(
      names = "--transactional-id",
      defaultValue = "vae-trainer",
      description = "Fixed transactional id: a second instance fences the first.")
  String transactionalId;

  @Option(
      names = "--checkpoint-hmac-key",
      paramLabel = "KEY",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY}",
      description = "Sign checkpoints with HMAC-SHA256 (or VAE_CHECKPOINT_HMAC_KEY).")
  String hmacKey;

  @Option(
      names = "--learning-rate",
      defaultValue = "0.001",
      description = "Adam learning rate (the seed's 1e-3; for experiments only).")
  double learningRate;

  @Option(
      names = "--replication-factor",
      defaultValue = "1",
      description = "Replication of topics this service creates (default ${DEFAULT-VALUE}).")
  short replication;

  @Option(
      names = "--connect-timeout-seconds",
      paramLabel = "S",
      defaultValue = "30",
      description =
          "How long start-up may wait for the cluster to set up the topics (default"
              + " ${DEFAULT-VALUE}).")
  long connectTimeoutSeconds;

  @Override
  public Integer call() {
    TrainerSettings settings = settings();
    Map<String, Object> facts = Nd4jRuntime.facts();
    log.info(
        "Trainer starting: ND4J {} on {}, OMP threads {}; Kafka {}",
        facts.get("nd4j_backend"),
        facts.get("device"),
        facts.get("omp_num_threads"),
        settings.kafka().redacted());
    try (ServiceMetrics serviceMetrics = ServiceMetrics.create("trainer")) {
      TrainerMetrics metrics =
          serviceMetrics.bind(
              new TrainerMetrics(
                  facts.get("nd4j_backend").toString(), facts.get("device").toString()));
      return run(settings, serviceMetrics, metrics);
    }
  }

  private int run(TrainerSettings settings, ServiceMetrics serviceMetrics, TrainerMetrics metrics) {
    createTopics(settings);
    if (initialCheckpoint != null) {
      InitialCheckpoint.seedIfEmpty(settings, initialCheckpoint);
    }
    TrainerService service =
        new TrainerService(settings, new TrainerClients(settings, serviceMetrics), metrics);
    GracefulShutdown shutdown = GracefulShutdown.install("trainer", () -> {}, 60_000);
    MetricsServer server = null;
    try {
      if (settings.httpPort() >= 0) {
        server =
            MetricsServer.start(
                settings.httpHost(),
                settings.httpPort(),
                serviceMetrics.registry(),
                () -> health(service, metrics));
        server.routePng("/reconstructions.png", service::reconstructionsPng);
      }
      return shutdown.finished(service.run(shutdown.flag()));
    } catch (RuntimeException e) {
      shutdown.finished(e instanceof UserException u ? u.exitCode() : ExitCodes.FAILURE);
      throw e;
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static Health health(TrainerService service, TrainerMetrics metrics) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("step", service.step());
    details.put("checkpoint_age_seconds", metrics.checkpointAgeSeconds());
    long sincePoll = System.currentTimeMillis() - service.lastPollMs();
    details.put("ms_since_poll", service.lastPollMs() == 0 ? null : sincePoll);
    boolean consuming = "consuming".equals(service.status()) && sincePoll < 30_000;
    return consuming ? Health.up("consuming", details) : Health.down(service.status(), details);
  }

  private void createTopics(TrainerSettings s) {
    // The admin client's own timeouts follow the flag, so that closing it after an unreachable
    // cluster does not wait for its default minute.
    long timeoutMs = connectTimeoutMillis();
    int apiTimeoutMs = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    Admin admin =
        Admin.create(
            s.kafka()
                .with(
                    Map.of(
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        Math.min(15_000, apiTimeoutMs),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        apiTimeoutMs)));
    try {
      TopicAdmin.ensure(
          admin,
          s.checkpointTopic(),
          1,
          s.checkpointReplication(),
          CheckpointTopic.topicConfigs(),
          timeoutMs);
      TopicAdmin.ensure(admin, s.dlqTopic(), 1, s.checkpointReplication(), Map.of(), timeoutMs);
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private long connectTimeoutMillis() {
    if (connectTimeoutSeconds < 1) {
      throw new UserException("--connect-timeout-seconds must be at least 1");
    }
    return Math.min(connectTimeoutSeconds, Integer.MAX_VALUE / 1000) * 1000L;
  }

  TrainerSettings settings() {
    if (checkpointEvery < 1) {
      throw new UserException("--checkpoint-every must be at least 1");
    }
    connectTimeoutMillis(); // validated with the other flags, before anything starts
    if (guardQuantile <= 0 || guardQuantile >= 1) {
      throw new UserException("--guard-quantile must be between 0 and 1, got " + guardQuantile);
    }
    MnistSplit split;
    try {
      split = learnSplit == null ? null : MnistSplit.fromWireName(learnSplit);
    } catch (IllegalArgumentException e) {
      throw new UserException("--learn-split: " + e.getMessage());
    }
    KafkaClientConfig config = kafka.clientConfig(Map.of());
    return new TrainerSettings(
        config,
        topic,
        checkpointTopic,
        dlqTopic,
        groupId,
        transactionalId,
        checkpointDir,
        maxSteps,
        checkpointEvery,
        Duration.ofSeconds(checkpointIntervalSeconds),
        split,
        new GuardSettings(guard, guardQuantile, guardWarmup, guardWindow),
        seed,
        hmacKey == null || hmacKey.isEmpty() ? null : hmacKey,
        learningRate,
        replication,
        http.host(),
        http.port(DEFAULT_HTTP_PORT));
  }

  /** Runs the trainer alone (used by tests that start it as a separate process). */
  public static void main(String[] args) {
    System.exit(ErrorReporting.commandLine(new TrainerCommand()).execute(args));
  }
}
