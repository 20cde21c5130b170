package dev.vaestream.producer;

import dev.vaestream.core.cli.HttpOptions;
import dev.vaestream.core.cli.InputTopicOptions;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.scenario.Scenario;
import dev.vaestream.core.service.ServiceRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vae-stream producer}: streams MNIST images into Kafka, optionally replacing a fraction
 * with labelled synthetic anomalies.
 *
 * <p>Flow: parse the flags into one {@link ProducerSettings}, load the data (a bad {@code
 * --mnist-dir} fails before any connection), build the {@link ProducerService} and run it until the
 * plan ends or a signal stops it, then print the {@link RunResult} as the last line of standard
 * output. Everything else goes to standard error through the log.
 */
@Command(
    name = "producer",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Stream MNIST images into Kafka, optionally replacing a fraction with labelled anomalies.",
      "A bounded run (--epochs, --limit) prints {\"sent\",\"seconds\",\"images_per_sec\","
          + "\"errors\"} as its last line and exits 0 when every image was acknowledged."
    })
public final class ProducerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ProducerCommand.class);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Mixin InputTopicOptions topic = new InputTopicOptions();

  @Option(
      names = "--split",
      paramLabel = "train|test",
      defaultValue = "train",
      description = "MNIST split to stream (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--rate",
      paramLabel = "IMAGES_PER_SEC",
      defaultValue = "0",
      description = "Images per second; 0 sends as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the split (default: 1).")
  Long epochs;

  @Option(names = "--loop", description = "Pass over the split again and again until stopped.")
  boolean loop;

  @Option(names = "--shuffle", description = "A new reproducible order on every pass (--seed).")
  boolean shuffle;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the shuffles and anomaly draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Send at most N images in total, over all passes.")
  Long limit;

  @Option(
      names = "--mnist-dir",
      paramLabel = "DIR",
      description = "Read the split's IDX files from DIR (default: the bundled MNIST).")
  Path mnistDir;

  @Option(
      names = "--anomaly-rate",
      paramLabel = "P",
      defaultValue = "0",
      description = "Fraction of images replaced by anomalies, 0-1 (default: ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(
      names = "--anomaly-kinds",
      paramLabel = "KIND[,KIND...]",
      description =
          "Anomaly kinds to inject: noise, inverted, rotated, flipped, salt_pepper, patch"
              + " (default: all).")
  String anomalyKinds;

  @Option(
      names = "--scenario",
      paramLabel = "NAME|FILE",
      description =
          "Stream a drift scenario instead of passes over the split: class-incremental, rotation,"
              + " gradual-thickness, recurring, or a JSON file (docs/services.md). Records carry a"
              + " 'phase' header; --seed, --limit and the anomaly flags apply.")
  String scenario;

  private Scenario resolvedScenario;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "" + TopicCatalog.DEFAULT_INPUT_PARTITIONS,
      description = "Partitions when creating the topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      defaultValue = "1",
      description = "Replicas when creating the topic (default: ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Mixin HttpOptions http = new HttpOptions();

  /** The process environment; tests substitute their own {@code KAFKA_*} variables. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    ProducerSettings settings = settings();
    resolvedScenario = scenario();
    log.info("Kafka client config: {}", settings.kafka().redacted());
    warnAboutIgnoredProperties(settings.kafka());
    warnIfAnomalyKindsUnused();
    MnistDataset data = ProducerService.loadData(settings);
    if (resolvedScenario == null) {
      warnIfLimitExceedsOnePass(data);
    } else {
      log.info("Scenario {}: {}", resolvedScenario.name(), resolvedScenario.phases());
    }

    ProducerService service = new ProducerService(settings, data, resolvedScenario);
    PrintWriter out = spec.commandLine().getOut();
    return new ServiceRunner(
            ProducerSettings.SERVICE,
            settings.connectTimeout().plus(ProducerService.CLOSE_TIMEOUT),
            spec.commandLine().getErr())
        .onTerminated(
            code -> {
              out.println(JsonLine.of(service.result().toJson()));
              out.flush();
            })
        .run(service);
  }

  /** The {@code --scenario}, resolved; null without one. Exit 2 naming the flag when bad. */
  Scenario scenario() {
    if (scenario == null) {
      return null;
    }
    if (loop || epochs != null || shuffle) {
      throw new UserException(
          "--scenario sets the order and length: drop --epochs, --loop, --shuffle");
    }
    try {
      return Scenario.resolve(scenario);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** The flags as one validated, immutable settings object. */
  ProducerSettings settings() {
    if (loop && epochs != null) {
      throw new UserException("--epochs and --loop are mutually exclusive: use one of them");
    }
    try {
      StreamPlan plan =
          new StreamPlan(
              epochs == null ? 1 : epochs,
              loop,
              shuffle,
              seed,
              limit == null ? OptionalLong.empty() : OptionalLong.of(limit),
              anomalyRate,
              parseKinds(anomalyKinds));
      KafkaClientConfig config = kafka.clientConfig(ProducerSettings.clientDefaults(), environment);
      return new ProducerSettings(
          config,
          topic.inputTopic(),
          partitions,
          replicationFactor,
          parseSplit(split),
          mnistDir,
          rate,
          plan,
          kafka.connectTimeout(),
          http.host(),
          http.port(ProducerSettings.DEFAULT_HTTP_PORT));
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  private void warnAboutIgnoredProperties(KafkaClientConfig config) {
    ProducerSettings.REQUIRED_PRODUCER_PROPERTIES.forEach(
        (key, required) -> {
          String given = config.get(key);
          if (given != null && !given.equalsIgnoreCase(String.valueOf(required))) {
            log.warn(
                "Ignoring {}={} from the Kafka config: the producer always uses {}={}",
                key,
                given,
                key,
                required);
          }
        });
  }

  private void warnIfAnomalyKindsUnused() {
    if (anomalyKinds != null && anomalyRate == 0) {
      log.warn("--anomaly-kinds has no effect without --anomaly-rate: no anomalies are injected");
    }
  }

  private void warnIfLimitExceedsOnePass(MnistDataset data) {
    if (!loop && epochs == null && limit != null && limit > data.size()) {
      log.warn(
          "--limit {} exceeds the {} images of one pass: add --epochs N or --loop for more",
          limit,
          data.size());
    }
  }

  private static MnistSplit parseSplit(String name) {
    return MnistSplit.fromWireName(name.trim());
  }

  private static Set<AnomalyKind> parseKinds(String names) {
    if (names == null) {
      return EnumSet.allOf(AnomalyKind.class);
    }
    Set<AnomalyKind> kinds = EnumSet.noneOf(AnomalyKind.class);
    for (String name : names.split(",")) {
      if (!name.isBlank()) {
        try {
          kinds.add(AnomalyKind.fromWireName(name));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--anomaly-kinds: " + e.getMessage(), e);
        }
      }
    }
    return kinds;
  }
}
