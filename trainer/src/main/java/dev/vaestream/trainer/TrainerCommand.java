package dev.vaestream.trainer;

import dev.vaestream.core.cli.DurationConverter;
import dev.vaestream.core.cli.HttpOptions;
import dev.vaestream.core.cli.InputTopicOptions;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.security.SecretFile;
import dev.vaestream.core.service.HttpEndpoint;
import dev.vaestream.core.service.ServiceRunner;
import dev.vaestream.trainer.drift.DriftSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
  /** How long a SIGTERM may take: the final checkpoint and closing. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(60);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka = new KafkaOptions();
  @Mixin HttpOptions http = new HttpOptions();
  @Mixin InputTopicOptions input = new InputTopicOptions();

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
      defaultValue = "" + TrainerSettings.DEFAULT_CHECKPOINT_EVERY,
      description = "Steps between checkpoints (default ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Also checkpoint this often when anything changed, e.g. 30s, 2m (default"
              + " ${DEFAULT-VALUE}; a bare number, the old form, means seconds).")
  Duration checkpointInterval;

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

  @Option(
      names = "--guard-soft",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Soft guard: learn an image with a probability that falls from 1 at rank"
              + " --guard-soft-from to 0 at rank --guard-soft-to among recent scores, so sparse"
              + " anomalies that still look like digits are rarely learned (default on; off while"
              + " adapting to a detected drift).")
  boolean guardSoft;

  @Option(
      names = "--guard-soft-from",
      defaultValue = "0.4",
      description = "Rank below which every image is learned (default ${DEFAULT-VALUE}).")
  double guardSoftFrom;

  @Option(
      names = "--guard-soft-to",
      defaultValue = "0.9",
      description = "Rank from which no image is learned (default ${DEFAULT-VALUE}).")
  double guardSoftTo;

  @Option(
      names = "--guard-soft-window",
      defaultValue = "" + GuardSettings.DEFAULT_SOFT_WINDOW,
      description =
          "Latest images the soft guard ranks against: a young model improves quickly, and ranked"
              + " against older, higher scores it learned far more anomalies (default"
              + " ${DEFAULT-VALUE}).")
  int guardSoftWindow;

  @Option(
      names = "--guard-soft-ink-exponent",
      defaultValue = "" + GuardSettings.DEFAULT_SOFT_INK_EXPONENT,
      description =
          "The soft guard ranks the reconstruction error divided by the image's ink (summed pixel"
              + " values) to this power, so heavy real digits and light anomalies compare fairly; 0"
              + " ranks the plain error (default ${DEFAULT-VALUE}).")
  double guardSoftInkExponent;

  @Option(
      names = "--drift",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Drift handling: detect a sustained rise of the prequential loss (ADWIN), re-baseline the"
              + " guard, publish a checkpoint and an event on --events-topic at once (default on).")
  boolean drift;

  @Option(
      names = "--drift-delta",
      defaultValue = "1e-5",
      description =
          "ADWIN's confidence delta: smaller, fewer false alarms (default ${DEFAULT-VALUE}).")
  double driftDelta;

  @Option(
      names = "--drift-min-rise",
      defaultValue = "0.1",
      description =
          "Smallest rise of the mean loss that counts as drift, as a fraction (default"
              + " ${DEFAULT-VALUE}).")
  double driftMinRise;

  @Option(
      names = "--drift-warmup",
      defaultValue = "5000",
      description = "Images before the first detection may happen (default ${DEFAULT-VALUE}).")
  long driftWarmup;

  @Option(
      names = "--drift-rebaseline",
      defaultValue = "1000",
      description =
          "After a detection, scores the guard collects afresh before it guards again (default"
              + " ${DEFAULT-VALUE}).")
  int driftRebaseline;

  @Option(
      names = "--drift-adapt-images",
      defaultValue = "5000",
      description =
          "Images after a detection during which the model counts as adapting (default"
              + " ${DEFAULT-VALUE}).")
  long driftAdaptImages;

  @Option(
      names = "--drift-cusum-threshold",
      defaultValue = "15",
      description =
          "Log-likelihood threshold of the CUSUM on images scoring above the recent p90, which"
              + " catches small sudden changes ADWIN misses; 0 turns it off (default"
              + " ${DEFAULT-VALUE}).")
  double driftCusumThreshold;

  @Option(
      names = "--drift-adapt-lr-factor",
      defaultValue = "" + DriftSettings.DEFAULT_ADAPT_LR_FACTOR,
      description =
          "The learning rate is this many times its setting while adapting to a detected change"
              + " (--drift-adapt-images), then back; 1 keeps it (default ${DEFAULT-VALUE}).")
  double driftAdaptLearningRateFactor;

  @Option(
      names = "--drift-input-shift",
      defaultValue = "" + DriftSettings.DEFAULT_INPUT_SHIFT,
      description =
          "Smallest change of the input's ink (trimmed mean pixel intensity), as a fraction of the"
              + " settled stream's, that counts as drift: catches a change the model follows"
              + " without a rise in loss, such as a slow ramp; 0 turns it off (default"
              + " ${DEFAULT-VALUE}).")
  double driftInputShift;

  @Option(
      names = "--drift-input-settle",
      defaultValue = "" + DriftSettings.DEFAULT_INPUT_SETTLE,
      description =
          "Images the ink must go without a change, after a detection or at the start, before it"
              + " is the reference the next change is measured from (default ${DEFAULT-VALUE}).")
  long driftInputSettle;

  @Option(
      names = "--events-topic",
      defaultValue = Topics.EVENTS,
      description = "Where drift events go (default ${DEFAULT-VALUE}).")
  String eventsTopic;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of a new model.")
  long seed;

  @Option(
      names = "--group-id",
      defaultValue = TrainerSettings.DEFAULT_ID,
      description = "Consumer group (default ${DEFAULT-VALUE}).")
  String groupId;

  @Option(
      names = "--transactional-id",
      defaultValue = TrainerSettings.DEFAULT_ID,
      description =
          "Fixed transactional id: a second instance fences the first (default"
              + " ${DEFAULT-VALUE}).")
  String transactionalId;

  @Option(
      names = "--checkpoint-hmac-key",
      paramLabel = "KEY",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY}",
      description = "Sign checkpoints with HMAC-SHA256 (or VAE_CHECKPOINT_HMAC_KEY).")
  String hmacKey;

  @Option(
      names = "--checkpoint-hmac-key-file",
      paramLabel = "FILE",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY_FILE}",
      description =
          "File holding the HMAC key (or VAE_CHECKPOINT_HMAC_KEY_FILE); wins over"
              + " --checkpoint-hmac-key.")
  Path hmacKeyFile;

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

  /** The process environment ({@code KAFKA_*}); tests substitute their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    TrainerSettings settings = settings();
    if (initialCheckpoint != null) {
      InitialCheckpoint.seedIfEmpty(settings, initialCheckpoint);
    }
    return new ServiceRunner(TrainerSettings.SERVICE, SHUTDOWN_GRACE, spec.commandLine().getErr())
        .run(new TrainerService(settings));
  }

  /** The flags as one validated settings object; every check but parsing is in the settings. */
  TrainerSettings settings() {
    MnistSplit split;
    try {
      split = learnSplit == null ? null : MnistSplit.fromWireName(learnSplit);
    } catch (IllegalArgumentException e) {
      throw new UserException("--learn-split: " + e.getMessage());
    }
    try {
      return new TrainerSettings(
          kafka.clientConfig(Map.of(), environment),
          kafka.connectTimeout(),
          new TrainerSettings.TopicNames(
              input.inputTopic(), checkpointTopic, dlqTopic, replication, eventsTopic),
          groupId,
          transactionalId,
          new TrainerSettings.Checkpointing(
              checkpointDir,
              checkpointEvery,
              checkpointInterval,
              SecretFile.keyOrFile(hmacKey, hmacKeyFile, "--checkpoint-hmac-key-file")),
          new TrainerSettings.Learning(
              maxSteps,
              split,
              new GuardSettings(
                  guard,
                  guardQuantile,
                  guardWarmup,
                  guardWindow,
                  guardSoft,
                  guardSoftFrom,
                  guardSoftTo,
                  guardSoftWindow,
                  guardSoftInkExponent),
              seed,
              learningRate,
              new DriftSettings(
                  drift,
                  driftDelta,
                  driftMinRise,
                  driftWarmup,
                  driftRebaseline,
                  driftAdaptImages,
                  driftCusumThreshold,
                  driftAdaptLearningRateFactor,
                  driftInputShift,
                  driftInputSettle)),
          new HttpEndpoint(http.host(), http.port(TrainerSettings.DEFAULT_HTTP_PORT)));
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }
}
