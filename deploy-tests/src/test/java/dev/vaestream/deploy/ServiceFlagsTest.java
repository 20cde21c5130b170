package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.scorer.ScorerSettings;
import dev.vaestream.trainer.TrainerCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The rendered command lines are ones the services accept, and the probes ask the ports and paths
 * the services really serve: each container's arguments are parsed by the service's own picocli
 * command (an unknown or misspelt flag fails), and the probe port is the {@code --http-port} the
 * service binds.
 */
class ServiceFlagsTest {
  /**
   * The service endpoints: core MetricsServer's /health (served for real below), ScorerService's
   * /ready (ScorerServiceIT asks it of a running scorer).
   */
  private static final String HEALTH = "/health";

  private static final String READY = "/ready";

  private static final Map<String, Supplier<Object>> COMMANDS =
      Map.of(
          "producer", ProducerCommand::new,
          "trainer", TrainerCommand::new,
          "scorer", ScorerCommand::new);

  static List<String> valueSets() {
    return Chart.valueSetNames();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void everyServiceAcceptsItsRenderedArguments(String valueSet) {
    for (Workloads.Workload w : Workloads.all(Chart.valueSet(valueSet))) {
      CommandLine cmd = new CommandLine(COMMANDS.get(w.service()).get());
      assertThat(w.args().get(0)).as(w.service()).isEqualTo(cmd.getCommandName());
      ParseResult parsed = cmd.parseArgs(expanded(w, "pod-0").toArray(String[]::new));
      assertThat(parsed.unmatched()).as(w.service()).isEmpty();
      assertThat(parsed.hasMatchedOption("--bootstrap-servers")).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void probesAskTheServicesOwnPortAndPaths(String valueSet) {
    for (Workloads.Workload w : Workloads.all(Chart.valueSet(valueSet))) {
      Container c = w.container();
      int httpPort = Integer.parseInt(w.arg("--http-port"));
      assertThat(c.getPorts())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).as(w.service()).isEqualTo(httpPort);
              });
      assertProbe(c.getStartupProbe(), HEALTH);
      assertProbe(c.getLivenessProbe(), HEALTH);
      assertProbe(c.getReadinessProbe(), w.service().equals("scorer") ? READY : HEALTH);
      // JVM start, ND4J's natives and the checkpoint restore: compose allows the scorer 180 s.
      Probe startup = c.getStartupProbe();
      assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
          .isGreaterThanOrEqualTo(180);
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void theScorersInstanceIdIsItsPodName(String valueSet, @TempDir Path tmp) throws IOException {
    Rendered r = Chart.valueSet(valueSet);
    Workloads.Workload scorer = Workloads.of(r, "scorer");
    assertThat(scorer.arg("--instance-id")).isEqualTo("$(POD_NAME)");
    EnvVar podName =
        scorer.container().getEnv().stream()
            .filter(e -> e.getName().equals("POD_NAME"))
            .findFirst()
            .orElseThrow();
    assertThat(podName.getValue()).isNull();
    assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");

    // What the scorer makes of it, with $(POD_NAME) expanded as the kubelet does, for the last pod.
    StatefulSet set = r.one(StatefulSet.class, "-scorer");
    String lastPod = set.getMetadata().getName() + "-" + (set.getSpec().getReplicas() - 1);
    List<String> args = expanded(scorer, lastPod);
    // The mounted Secrets' files, stood in for by local ones.
    String keyFile = scorer.arg("--checkpoint-hmac-key-file");
    if (keyFile != null) {
      Path key = Files.writeString(tmp.resolve("checkpoint.key"), "k".repeat(64));
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      args.set(args.indexOf(keyFile), key.toString());
    }
    String kafkaConfig = scorer.arg("--kafka-config");
    if (kafkaConfig != null) {
      Path props =
          Files.writeString(
              tmp.resolve("client.properties"), "client.dns.lookup=use_all_dns_ips\n");
      args.set(args.indexOf(kafkaConfig), props.toString());
    }
    ScorerCommand command = new ScorerCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    ScorerSettings settings = command.settings(Map.of("HOSTNAME", "not-the-pod-name"));
    assertThat(settings.instanceId()).isEqualTo(lastPod);
    assertThat(settings.httpPort()).isEqualTo(Integer.parseInt(scorer.arg("--http-port")));
    assertThat(settings.groupId()).isEqualTo("vae-scorer");
  }

  @Test
  void livenessAndStartUpPathsAreServedByTheServicesHttpEndpoint() throws Exception {
    // Every service serves /health through core's MetricsServer; ask a real one the probe path
    // the chart renders (and, to show the check can fail, one it does not serve).
    Container trainer = Workloads.of(Chart.valueSet("defaults"), "trainer").container();
    String path = trainer.getLivenessProbe().getHttpGet().getPath();
    try (MetricsServer server =
        MetricsServer.start(
            "127.0.0.1",
            0,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            () -> Health.up("consuming", Map.of()))) {
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, server.port(), path)).isEqualTo(200);
      // (The JDK's server matches contexts by prefix, so probe a path outside every context.)
      assertThat(get(http, server.port(), "/live")).isEqualTo(404);
    }
  }

  private static int get(HttpClient http, int port, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The arguments after the subcommand, with {@code $(POD_NAME)} expanded. */
  private static List<String> expanded(Workloads.Workload w, String podName) {
    List<String> out = new ArrayList<>();
    for (String a : w.args().subList(1, w.args().size())) {
      out.add(a.replace("$(POD_NAME)", podName));
    }
    return out;
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }
}
