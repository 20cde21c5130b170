package dev.vaestream.app.chaos;

import dev.vaestream.core.data.MnistSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the services a campaign runs (scorer, trainer and its fault-free reference,
 * producer): what each is told, so that the campaign and the reference see the same input and learn
 * with the same flags.
 */
final class ServiceCommands {
  /**
   * Trainer drift flags of a campaign on a scenario (see {@link #trainer}): a campaign is short, so
   * the detectors warm up and the input detector settles in a fraction of the defaults' images.
   */
  static final List<String> DRIFT_FLAGS =
      List.of("--drift-delta", "0.002", "--drift-warmup", "1000", "--drift-input-settle", "1500");

  private static final int TRAIN_IMAGES = 60_000;

  private final ChaosSettings settings;
  private final Path logs;

  /**
   * @param logs the campaign's log directory (the scorer keeps its statistics state there)
   */
  ServiceCommands(ChaosSettings settings, Path logs) {
    this.settings = settings;
    this.logs = logs;
  }

  /** The scorer's flags. */
  List<String> scorer(String bootstrap, int port) {
    return List.of(
        "--bootstrap-servers",
        bootstrap,
        "--instance-id",
        "chaos",
        "--http-host",
        "127.0.0.1",
        "--http-port",
        Integer.toString(port),
        "--stats-state-dir",
        logs.resolve("scorer-state").toString());
  }

  /**
   * The trainer's flags; the {@code reference} trainer's own topics, group and transactional id.
   */
  List<String> trainer(String bootstrap, boolean reference, int port) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers", bootstrap,
                "--checkpoint-every", "50",
                "--checkpoint-interval", "2s",
                "--http-host", "127.0.0.1",
                "--http-port", Integer.toString(port)));
    if (settings.scenario() != null) {
      // A campaign is short: the detector as sensitive as in DriftIT, so the change is detected
      // within it. Both trainers get the same flags, so their models still compare bit for bit.
      a.addAll(DRIFT_FLAGS);
    }
    if (reference) {
      a.addAll(
          List.of(
              "--checkpoint-topic", Campaign.REFERENCE.checkpointsTopic(),
              "--dlq-topic", Campaign.REFERENCE.dlqTopic(),
              "--events-topic", Campaign.REFERENCE.eventsTopic(),
              "--group-id", Campaign.REFERENCE.trainerGroupId(),
              "--transactional-id", Campaign.REFERENCE.trainerTransactionalId()));
    }
    return a;
  }

  /** The producer's flags: the campaign's images, once, in a seeded order or its scenario's. */
  List<String> producer(String bootstrap, int port) {
    long epochs = (settings.images() + TRAIN_IMAGES - 1) / TRAIN_IMAGES;
    List<String> order =
        settings.scenario() == null
            ? List.of("--epochs", Long.toString(epochs), "--shuffle")
            : List.of("--scenario", settings.scenario());
    List<String> a = new ArrayList<>(List.of("--bootstrap-servers", bootstrap));
    a.addAll(List.of("--split", MnistSplit.TRAIN.wireName()));
    a.addAll(order);
    a.addAll(producerTail(port));
    return a;
  }

  private List<String> producerTail(int port) {
    return List.of(
        "--seed",
        Long.toString(settings.seed()),
        "--limit",
        Integer.toString(settings.images()),
        "--anomaly-rate",
        Double.toString(settings.anomalyRate()),
        "--partitions",
        "1",
        "--rate",
        "0",
        "--http-host",
        "127.0.0.1",
        "--http-port",
        Integer.toString(port));
  }
}
