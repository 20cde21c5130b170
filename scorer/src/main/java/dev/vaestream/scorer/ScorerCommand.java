package dev.vaestream.scorer;

import dev.vaestream.core.cli.Deprecations;
import dev.vaestream.core.cli.DurationConverter;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.HttpOptions;
import dev.vaestream.core.cli.InputTopicOptions;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.config.PropertiesFiles;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.security.SecretFile;
import dev.vaestream.core.service.HttpEndpoint;
import dev.vaestream.core.service.ServiceRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/vae-stream scorer}: scores every image on the input topic exactly once with the newest
 * valid checkpoint and writes one score record per image; runs the windowed statistics alongside.
 * Parses the flags into {@link ScorerSettings}, starts a {@link ScorerService}, waits, and turns
 * SIGTERM or Ctrl-C into a clean stop with exit code 0.
 */
@Command(
    name = "scorer",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Score every image exactly once with the newest valid checkpoint: one record per image on"
          + " the scores topic (JSON; see schema/anomaly-score.schema.json), written in the same"
          + " Kafka transaction as the consumed offsets. Follows the checkpoint topic and swaps"
          + " newer models in without pausing. Also publishes per-window statistics (Kafka"
          + " Streams) unless --no-stats.",
      "Serves /metrics, /health, /ready and /anomalies.png (default port 9403)."
    })
public final class ScorerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ScorerCommand.class);

  /** How long a SIGTERM may take to finish the open transaction and close. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka = new KafkaOptions();
  @Mixin HttpOptions httpOptions = new HttpOptions();

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      description =
          "This instance's stable name (default: the hostname). Derives the transactional id"
              + " <group-id>-<instance-id>: give every concurrent instance its own, and a restarted"
              + " instance the same one.")
  String instanceId;

  @Option(
      names = "--group-id",
      paramLabel = "GROUP",
      defaultValue = ScorerSettings.DEFAULT_GROUP_ID,
      description = "Consumer group shared by all scorer instances (default ${DEFAULT-VALUE}).")
  String groupId;

  @Mixin InputTopicOptions input = new InputTopicOptions();

  @Option(
      names = "--scores-topic",
      paramLabel = "TOPIC",
      defaultValue = Topics.SCORES,
      description = "Where the scores go (default ${DEFAULT-VALUE}).")
  String scoresTopic;

  @Option(
      names = "--dlq-topic",
      paramLabel = "TOPIC",
      defaultValue = Topics.IMAGES_DLQ,
      description = "Where invalid input records go (default ${DEFAULT-VALUE}).")
  String dlqTopic;

  @Option(
      names = "--checkpoint-topic",
      paramLabel = "TOPIC",
      defaultValue = Topics.CHECKPOINTS,
      description = "Checkpoints to follow (default ${DEFAULT-VALUE}).")
  String checkpointTopic;

  @Option(
      names = "--stats-topic",
      paramLabel = "TOPIC",
      defaultValue = Topics.STATS,
      description = "Where the windowed statistics go (default ${DEFAULT-VALUE}).")
  String statsTopic;

  @Option(
      names = "--checkpoint-hmac-key",
      paramLabel = "KEY",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY}",
      description =
          "Shared HMAC-SHA256 key: only checkpoints signed with it are loaded"
              + " (or VAE_CHECKPOINT_HMAC_KEY).")
  String checkpointKey;

  @Option(
      names = "--checkpoint-hmac-key-file",
      paramLabel = "FILE",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY_FILE}",
      description =
          "File holding the HMAC key (or VAE_CHECKPOINT_HMAC_KEY_FILE); wins over"
              + " --checkpoint-hmac-key.")
  Path checkpointKeyFile;

  @Option(
      names = "--threshold",
      paramLabel = "SCORE",
      description =
          "Fixed anomaly threshold: flag scores above it, whatever the checkpoint's calibration."
              + " Excludes --threshold-quantile.")
  Double threshold;

  @Option(
      names = "--threshold-quantile",
      paramLabel = "Q",
      description =
          "Flag scores above this quantile of the checkpoint's calibration: 0.5, 0.9, 0.95, 0.99"
              + " or 0.999 (default 0.99). Without calibration nothing is flagged.")
  Double thresholdQuantile;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      defaultValue = "" + ScorerSettings.DEFAULT_MAX_BATCH,
      description = "Most images per poll and forward pass (default ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(
      names = "--commit-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Longest a transaction stays open while a backlog is read, e.g. 100ms; when caught up,"
              + " every poll commits (default 100ms).")
  Duration commitInterval;

  @Option(
      names = "--pipeline",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the forward pass on a thread of its own while the scoring thread decodes, encodes"
              + " and sends around it (default on; --no-pipeline runs it inline). Pays on two or"
              + " more cores.")
  boolean pipeline;

  // Deprecated spellings keep their own fields: picocli applies defaults after parsing.
  private Duration deprecatedCommitInterval;
  private Duration deprecatedStatsWindow;
  private Duration deprecatedStatsGrace;

  /** The old spelling of {@code --commit-interval}, in milliseconds. */
  @Option(names = "--commit-interval-ms", paramLabel = "MS", hidden = true)
  void commitIntervalMs(long ms) {
    Deprecations.flag("--commit-interval-ms", "--commit-interval (e.g. 100ms)");
    deprecatedCommitInterval = Duration.ofMillis(ms);
  }

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Partitions of the output topics the scorer creates when missing (default: as many as"
              + " the input topic, or 3 if it does not exist yet).")
  int partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Replication factor of output topics the scorer creates (default ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Option(
      names = "--no-stats",
      negatable = false,
      description = "Do not run the windowed statistics stream in this process.")
  boolean noStats;

  @Option(
      names = "--stats-window",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Statistics window size, tumbling, e.g. 60s, 5m (default 60s). Every scorer cuts its"
              + " partial statistics by it, --no-stats or not: give all scorers the same.")
  Duration statsWindow;

  @Option(
      names = "--stats-grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a window waits for late partial statistics (a scorer's clock behind, a commit"
              + " delayed) before it closes (default 10s).")
  Duration statsGrace;

  /** The old spelling of {@code --stats-window}, in seconds. */
  @Option(names = "--stats-window-seconds", paramLabel = "S", hidden = true)
  void statsWindowSeconds(long seconds) {
    Deprecations.flag("--stats-window-seconds", "--stats-window (e.g. 60s)");
    deprecatedStatsWindow = Duration.ofSeconds(seconds);
  }

  /** The old spelling of {@code --stats-grace}, in seconds. */
  @Option(names = "--stats-grace-seconds", paramLabel = "S", hidden = true)
  void statsGraceSeconds(long seconds) {
    Deprecations.flag("--stats-grace-seconds", "--stats-grace (e.g. 10s)");
    deprecatedStatsGrace = Duration.ofSeconds(seconds);
  }

  @Option(
      names = "--stats-application-id",
      paramLabel = "ID",
      description =
          "Kafka Streams application.id of the statistics (default: <group-id>-stats); it also"
              + " names the partial statistics topic, <id>-score-partials, that every scorer"
              + " writes: give all scorers the same.")
  String statsApplicationId;

  @Option(
      names = "--stats-state-dir",
      paramLabel = "DIR",
      description = "Kafka Streams state directory (default: <tmp>/vae-stream/<group>-<instance>).")
  Path statsStateDir;

  @Option(
      names = "--stats-config",
      paramLabel = "FILE",
      description = "Kafka Streams properties for the statistics; they win over the defaults.")
  Path statsConfig;

  /** The process environment ({@code KAFKA_*}, {@code HOSTNAME}); tests substitute their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    ScorerSettings settings = settings(environment);
    // The backend first: a CUDA build without a usable GPU stops here, exit 2, naming the problem.
    Map<String, Object> facts = Nd4jRuntime.facts();
    log.info(
        "Scorer starting: ND4J {} on {}, compute path {}",
        facts.get("nd4j_backend"),
        facts.get("device"),
        facts.get("compute_path"));
    return new ServiceRunner("scorer", SHUTDOWN_GRACE, spec.commandLine().getErr())
        .run(new ScorerService(settings));
  }

  /**
   * The settings these flags describe. Public so that the bench builds the scorer it measures from
   * the same flags and defaults as {@code vae-stream scorer}.
   *
   * @param env the environment ({@code KAFKA_*} client properties, {@code HOSTNAME}); flag defaults
   *     of the form {@code ${env:...}} are resolved by picocli from the real environment
   * @throws UserException with {@link ExitCodes#USAGE} for invalid flags
   */
  public ScorerSettings settings(Map<String, String> env) {
    if (threshold != null && thresholdQuantile != null) {
      throw new UserException("--threshold and --threshold-quantile exclude each other");
    }
    KafkaClientConfig config = kafka.clientConfig(Map.of(), env);
    String instance = instanceId != null ? instanceId : defaultInstanceId(env);
    try {
      ThresholdPolicy policy =
          threshold != null
              ? ThresholdPolicy.fixed(threshold)
              : thresholdQuantile != null
                  ? ThresholdPolicy.quantile(thresholdQuantile)
                  : ThresholdPolicy.defaults();
      String appId = statsApplicationId != null ? statsApplicationId : groupId + "-stats";
      Duration window =
          firstOf(statsWindow, deprecatedStatsWindow, ScorerSettings.DEFAULT_STATS_WINDOW);
      ScorerSettings.Stats stats = null;
      if (!noStats) {
        Path stateDir =
            statsStateDir != null
                ? statsStateDir
                : Path.of(
                    System.getProperty("java.io.tmpdir"), "vae-stream", groupId + "-" + instance);
        stats =
            new ScorerSettings.Stats(
                appId,
                window,
                firstOf(statsGrace, deprecatedStatsGrace, ScorerSettings.DEFAULT_STATS_GRACE),
                stateDir,
                PropertiesFiles.load(statsConfig, "--stats-config"));
      }
      return new ScorerSettings(
          config,
          kafka.connectTimeout(),
          instance,
          groupId,
          new ScorerSettings.TopicNames(
              input.inputTopic(),
              scoresTopic,
              dlqTopic,
              checkpointTopic,
              statsTopic,
              partitions,
              replicationFactor),
          new ScorerSettings.ModelPolicy(
              SecretFile.keyOrFile(checkpointKey, checkpointKeyFile, "--checkpoint-hmac-key-file"),
              policy),
          new ScorerSettings.Batching(
              maxBatch,
              firstOf(
                  commitInterval, deprecatedCommitInterval, ScorerSettings.DEFAULT_COMMIT_INTERVAL),
              pipeline),
          new ScorerSettings.Partials(Topics.statsPartials(appId), window),
          stats,
          new HttpEndpoint(httpOptions.host(), httpOptions.port(ScorerSettings.DEFAULT_HTTP_PORT)));
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** The flag's value, else its deprecated spelling's, else the default. */
  private static Duration firstOf(Duration flag, Duration deprecated, Duration fallback) {
    return flag != null ? flag : deprecated != null ? deprecated : fallback;
  }

  /** The hostname, made safe for a transactional id; {@code HOSTNAME} or "scorer" as fallbacks. */
  static String defaultInstanceId(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = null;
      }
    }
    if (host == null || host.isBlank()) {
      return "scorer";
    }
    return host.replaceAll("[^A-Za-z0-9._-]", "-");
  }
}
