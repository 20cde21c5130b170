package dev.vaestream.app.chaos;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/vae-stream chaos}: the fault and bad-input campaign. Runs producer, trainer and scorer
 * as separate JVMs on an in-process KRaft broker, kills trainer and scorer again and again,
 * restarts the broker, writes hostile records and forged checkpoints, then audits the topics and
 * prints a table and, as its last line, a JSON report. Exit 0 when every check passed.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Fault and bad-input campaign: SIGKILLs, a broker restart, hostile input records and"
          + " checkpoints, a 10x backlog; then checks that every valid image was scored exactly"
          + " once, every hostile record reached the DLQ, and the model equals a fault-free run's.",
      "Prints a JSON report as its last line; exit 0 when every check passed, 1 otherwise."
    })
public final class ChaosCommand implements Callable<Integer> {
  @Option(
      names = "--images",
      defaultValue = "200000",
      description = "Valid images to stream, a multiple of 32 (default ${DEFAULT-VALUE}).")
  int images;

  @Option(
      names = "--kills",
      defaultValue = "20",
      description = "SIGKILLs of the trainer, and of the scorer (default ${DEFAULT-VALUE} each).")
  int kills;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the workload, hostile records and kill schedule.")
  long seed;

  @Option(
      names = "--hostile-inputs",
      defaultValue = "200",
      description = "Hostile records on the input topic (default ${DEFAULT-VALUE}).")
  int hostileInputs;

  @Option(
      names = "--hostile-checkpoints",
      defaultValue = "12",
      description = "Forged or broken records on the checkpoint topic (default ${DEFAULT-VALUE}).")
  int hostileCheckpoints;

  @Option(
      names = "--broker-restarts",
      defaultValue = "1",
      description = "Broker stops and starts mid-stream (default ${DEFAULT-VALUE}).")
  int brokerRestarts;

  @Option(
      names = "--brokers",
      defaultValue = "1",
      description =
          "Brokers: 1 (in-process) or 3 (separate broker JVMs, combined broker and controller"
              + " nodes, replication factor 3, min.insync.replicas=2) (default ${DEFAULT-VALUE}).")
  int brokers;

  @Option(
      names = "--broker-kills",
      defaultValue = "-1",
      description =
          "With --brokers 3: at least this many SIGKILLs of brokers, among them the leader of a"
              + " partition a transaction writes to, the trainer's transaction coordinator, and two"
              + " brokers at once (default 10 with --brokers 3).")
  int brokerKills;

  @Option(
      names = "--broker-stalls",
      defaultValue = "-1",
      description = "With --brokers 3: SIGSTOP/SIGCONT stalls of a broker (default 1).")
  int brokerStalls;

  @Option(
      names = "--anomaly-rate",
      defaultValue = "0.01",
      description = "Fraction of injected anomalies (default ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(
      names = "--heap",
      defaultValue = "512m",
      description = "-Xmx of each service, also its heap limit (default ${DEFAULT-VALUE}).")
  String heap;

  @Option(
      names = "--rss-limit-mb",
      defaultValue = "1024",
      description = "Peak resident memory allowed per service, MiB (default ${DEFAULT-VALUE}).")
  long rssLimitMb;

  @Option(
      names = "--max-uptime",
      defaultValue = "8",
      paramLabel = "SECONDS",
      description =
          "Longest a running trainer or scorer lives before its next kill (default"
              + " ${DEFAULT-VALUE}).")
  long maxUptimeSeconds;

  @Option(
      names = "--var-dir",
      defaultValue = "var/chaos",
      description = "Logs of every service run (default ${DEFAULT-VALUE}).")
  Path varDir;

  @Option(
      names = "--timeout",
      defaultValue = "3600",
      paramLabel = "SECONDS",
      description = "Give up after this long (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--secure",
      description =
          "Run on a broker that speaks only SASL_SSL and denies whatever no ACL allows: each"
              + " service logs in as its own user holding only its own ACLs (bin/vae-stream acls).")
  boolean secure;

  @Option(
      names = "--scenario",
      paramLabel = "NAME|FILE",
      description =
          "Stream a drift scenario (see producer --scenario; its first --images images) instead of"
              + " shuffled passes, so the campaign covers drift detections: the audit then also"
              + " requires the same drift events, at least one, in the chaos and the fault-free"
              + " run.")
  String scenario;

  @Override
  public Integer call() throws Exception {
    ChaosSettings settings;
    ClusterSettings cluster;
    try {
      boolean many = brokers > 1;
      if (many && secure) {
        throw new IllegalArgumentException("--secure is not supported with --brokers 3 yet");
      }
      cluster =
          new ClusterSettings(
              brokers,
              brokerKills >= 0 ? brokerKills : many ? 10 : 0,
              brokerStalls >= 0 ? brokerStalls : many ? 1 : 0,
              "512m");
      settings =
          ChaosSettings.defaults()
              .images(images)
              .kills(kills)
              .seed(seed)
              .hostileInputs(hostileInputs)
              .hostileCheckpoints(hostileCheckpoints)
              .brokerRestarts(brokerRestarts)
              .anomalyRate(anomalyRate)
              .heap(heap)
              .rssLimitMb(rssLimitMb)
              .maxUptimeBeforeKill(Duration.ofSeconds(maxUptimeSeconds))
              .varDir(varDir)
              .timeout(Duration.ofSeconds(timeoutSeconds))
              .secure(secure)
              .scenario(scenario)
              .build();
      if (scenario != null) {
        long length = Scenario.resolve(scenario).totalImages();
        if (length >= 0 && length < images) {
          throw new IllegalArgumentException(
              "--scenario " + scenario + " has " + length + " images, fewer than --images");
        }
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), ExitCodes.USAGE);
    }
    ChaosReport report = new Campaign(settings, cluster).run();
    System.err.print(report.table());
    JsonLine.print(System.out, report.toJson());
    return report.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
  }
}
