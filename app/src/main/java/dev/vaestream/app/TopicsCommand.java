package dev.vaestream.app;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.TopicReport;
import dev.vaestream.core.kafka.TopicSetup;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/vae-stream topics --create|--check}: creates or verifies every topic of the pipeline
 * from {@link TopicCatalog}, the same definitions the services use. Compose's topic-init runs
 * {@code topics --create}; {@code --check} tells an operator how an existing cluster differs.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Create (--create) or verify (--check) every topic of the pipeline as the catalogue defines"
          + " it: mnist.images, mnist.images.dlq, vae.checkpoints, anomaly.scores, anomaly.stats.",
      "Prints one line per topic and each difference. Exit 0: every topic exists (--create) or"
          + " matches (--check); 1: --check found a difference or a missing topic, or Kafka did"
          + " not answer; 2: bad flags, credentials or missing ACLs."
    })
public final class TopicsCommand implements Callable<Integer> {
  /** {@code client.id} of the admin client. */
  static final String CLIENT_ID = "vae-stream-topics";

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  /** What to do: exactly one of the two. */
  static final class Mode {
    @Option(names = "--create", required = true, description = "Create missing topics.")
    boolean create;

    @Option(
        names = "--check",
        required = true,
        description = "Only verify: fail when a topic is missing or differs.")
    boolean check;
  }

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "" + TopicCatalog.DEFAULT_INPUT_PARTITIONS,
      description =
          "Partitions of the input topic; the dead-letter and score topics follow it (default"
              + " ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      defaultValue = "" + TopicCatalog.DEFAULT_REPLICATION_FACTOR,
      description = "Replication factor of every topic (default ${DEFAULT-VALUE}).")
  short replicationFactor;

  /** The process environment; tests substitute their own {@code KAFKA_*} variables. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() {
    List<TopicDefinition> definitions = definitions();
    Map<String, Object> props =
        kafka.clientConfig(Map.of(), environment).forClient(AdminClientConfig.configNames());
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    PrintWriter out = spec.commandLine().getOut();
    boolean allGood = true;
    try (TopicSetup setup = TopicSetup.open(props, kafka.connectTimeout())) {
      setup.checkConnection();
      for (TopicDefinition d : definitions) {
        TopicReport report = mode.check ? setup.verify(d) : setup.ensure(d);
        allGood &= print(out, report);
      }
    }
    out.flush();
    return !mode.check || allGood ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  /** The catalogue with this command's partitions and replication factor. */
  List<TopicDefinition> definitions() {
    try {
      return TopicCatalog.standard(partitions, replicationFactor);
    } catch (IllegalArgumentException e) {
      throw new UserException(
          e.getMessage() + " (check --partitions and --replication-factor)", ExitCodes.USAGE);
    }
  }

  /** One line per topic, then one per difference; true when the topic is as defined. */
  private static boolean print(PrintWriter out, TopicReport report) {
    String status =
        report.verified()
            ? "ok"
            : report.outcome() == TopicReport.Outcome.MISSING ? "missing" : "differs";
    out.println(status + ": " + report.summary());
    if (report.outcome() != TopicReport.Outcome.MISSING) {
      for (String difference : report.differences()) {
        out.println("  " + difference);
      }
    }
    for (String warning : report.warnings()) {
      out.println("  warning: " + warning);
    }
    if (report.configsUnchecked() != null) {
      out.println("  configs not checked: " + report.configsUnchecked());
    }
    return report.verified();
  }
}
