package dev.vaestream.app.demo;

import dev.vaestream.app.process.ChildService;
import dev.vaestream.app.process.PipelineTopics;
import dev.vaestream.app.process.SecuredPipeline;
import dev.vaestream.core.cli.GracefulShutdown;
import dev.vaestream.core.cli.Progress;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.metrics.MetricsScrape;
import dev.vaestream.core.security.ServiceRole;
import dev.vaestream.localkafka.LocalKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/vae-stream demo}: the whole pipeline on one machine with no Docker. Starts a real
 * Kafka broker in this JVM (KRaft), creates the topics, runs producer, trainer and scorer as child
 * processes on their documented ports, and prints a live status line until Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline locally: an in-process Kafka broker, then producer (9401),"
          + " trainer (9402) and scorer (9403), each serving /metrics and /health.",
      "Ctrl-C stops everything cleanly."
    })
public final class DemoCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  @Option(
      names = "--bootstrap-servers",
      description = "Use this Kafka cluster instead of starting a broker in-process.")
  String bootstrapServers;

  @Option(
      names = "--secure",
      description =
          "Run the in-process broker as a locked-down cluster: SASL_SSL (SCRAM-SHA-512), ACLs"
              + " that deny by default, each service its own user with only its own ACLs (bin/"
              + "vae-stream acls) and signed checkpoints; secrets in <var-dir>/secrets.")
  boolean secure;

  @Option(
      names = "--only",
      paramLabel = "producer|trainer|scorer",
      split = ",",
      description = "Run only these services (default: all three).")
  List<String> only;

  @Option(
      names = "--producer-port",
      defaultValue = "9401",
      description = "Default ${DEFAULT-VALUE}.")
  int producerPort;

  @Option(
      names = "--trainer-port",
      defaultValue = "9402",
      description = "Default ${DEFAULT-VALUE}.")
  int trainerPort;

  @Option(names = "--scorer-port", defaultValue = "9403", description = "Default ${DEFAULT-VALUE}.")
  int scorerPort;

  @Option(
      names = "--rate",
      defaultValue = "1000",
      description = "Images/s the producer offers (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--anomaly-rate",
      defaultValue = "0.01",
      description = "Fraction of injected anomalies (default ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(
      names = "--scenario",
      paramLabel = "NAME|FILE",
      description =
          "Stream a drift scenario (rotation, class-incremental, gradual-thickness, recurring, or"
              + " a JSON file) instead of looping over MNIST; the status line shows detections.")
  String scenario;

  @Option(
      names = "--var-dir",
      defaultValue = "var/demo",
      description = "Logs and checkpoint files (default ${DEFAULT-VALUE}).")
  Path varDir;

  @Option(
      names = "--duration",
      defaultValue = "0",
      paramLabel = "SECONDS",
      description = "Stop by itself after this long (default: run until Ctrl-C).")
  long durationSeconds;

  @Option(
      names = "--heap",
      defaultValue = "512m",
      description = "Heap of each service JVM (default ${DEFAULT-VALUE}).")
  String heap;

  private SecuredPipeline secured;

  @Override
  public Integer call() throws Exception {
    List<String> services = only == null ? List.of("producer", "trainer", "scorer") : only;
    for (String s : services) {
      if (!List.of("producer", "trainer", "scorer").contains(s)) {
        throw new UserException("--only: unknown service '" + s + "'");
      }
    }
    GracefulShutdown shutdown = GracefulShutdown.install("demo", () -> {}, 120_000);
    LocalKafka broker = null;
    List<ChildService> children = new ArrayList<>();
    DemoStatus status = new DemoStatus();
    ScoreTally tally = null;
    Thread tallyThread = null;
    int code = 0;
    try {
      String bootstrap = bootstrapServers;
      if (secure && bootstrap != null) {
        throw new UserException("--secure secures the in-process broker: drop --bootstrap-servers");
      }
      Map<String, Object> tallyConfig = new HashMap<>();
      if (bootstrap == null) {
        log.info("Starting an in-process Kafka broker (KRaft{})...", secure ? ", secured" : "");
        broker = secure ? LocalKafka.startSecured() : LocalKafka.start();
        bootstrap = broker.bootstrapServers();
        if (secure) {
          secured = SecuredPipeline.setUp(broker, varDir.resolve("secrets"));
        } else {
          PipelineTopics.create(broker);
        }
        tallyConfig.putAll(broker.adminClientConfig());
        tallyConfig.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
      }
      tallyConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      System.err.println(
          "Kafka at "
              + bootstrap
              + (secure
                  ? " (SASL_SSL, ACLs; each service's --kafka-config in "
                      + varDir.resolve("secrets")
                      + ")"
                  : ""));
      Path logs = varDir.resolve("logs");
      for (String s : services) {
        children.add(ChildService.start(s, args(s, bootstrap), logs, heap));
      }
      System.err.printf(
          Locale.ROOT,
          "Services: producer http://localhost:%d  trainer http://localhost:%d  scorer"
              + " http://localhost:%d  (logs in %s)%n",
          producerPort,
          trainerPort,
          scorerPort,
          logs);
      tally = new ScoreTally(tallyConfig, Topics.SCORES);
      tallyThread = new Thread(tally, "demo-score-tally");
      tallyThread.setDaemon(true);
      tallyThread.start();
      long deadline =
          durationSeconds > 0
              ? System.nanoTime() + durationSeconds * 1_000_000_000L
              : Long.MAX_VALUE;
      try (Progress progress = Progress.forConsole()) {
        while (shutdown.running() && System.nanoTime() < deadline) {
          Thread.sleep(500);
          for (ChildService c : children) {
            if (!c.alive() && !(c.name().equals("producer") && c.exitValue() == 0)) {
              throw new UserException(
                  c.name() + " exited with code " + c.exitValue() + "; see " + c.logFile(), 1);
            }
          }
          final ScoreTally t = tally;
          progress.update(() -> status(status, t));
        }
      }
      System.err.println(status(status, tally));
    } catch (UserException e) {
      code = e.exitCode();
      throw e;
    } finally {
      for (int i = children.size() - 1; i >= 0; i--) {
        ChildService c = children.get(i);
        int exit = c.stop(60);
        log.info("{} stopped (exit {})", c.name(), exit);
      }
      if (tally != null) {
        tally.stop();
        tallyThread.join(5_000);
      }
      if (broker != null) {
        broker.close();
      }
      shutdown.finished(code);
    }
    return code;
  }

  private String status(DemoStatus status, ScoreTally t) {
    status.update(
        MetricsScrape.scrape("127.0.0.1", producerPort, Duration.ofSeconds(1)),
        MetricsScrape.scrape("127.0.0.1", trainerPort, Duration.ofSeconds(1)));
    return status.line(t);
  }

  private List<String> args(String service, String bootstrap) {
    List<String> a = new ArrayList<>();
    if (secured != null) {
      ServiceRole role = ServiceRole.fromWireName(service);
      a.addAll(List.of("--kafka-config", secured.kafkaConfig(role).toString()));
      if (role != ServiceRole.PRODUCER) {
        a.addAll(List.of("--checkpoint-hmac-key-file", secured.checkpointKeyFile().toString()));
      }
    } else {
      a.addAll(List.of("--bootstrap-servers", bootstrap));
    }
    switch (service) {
      case "producer" -> {
        a.addAll(
            scenario == null ? List.of("--loop", "--shuffle") : List.of("--scenario", scenario));
        a.addAll(
            List.of(
                "--rate",
                Integer.toString(rate),
                "--anomaly-rate",
                Double.toString(anomalyRate),
                "--partitions",
                "1",
                "--http-port",
                Integer.toString(producerPort)));
      }
      case "trainer" -> {
        a.addAll(
            List.of(
                "--checkpoint-every",
                "100",
                "--checkpoint-interval",
                "10s",
                "--checkpoint-dir",
                varDir.resolve("checkpoints").toString(),
                "--http-port",
                Integer.toString(trainerPort)));
      }
      default -> {
        a.addAll(List.of("--http-port", Integer.toString(scorerPort)));
      }
    }
    return a;
  }
}
