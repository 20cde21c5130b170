package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flag parsing and validation, and the errors reported before any connection is made. */
class ProducerCommandTest {

  private static ProducerCommand parse(Map<String, String> env, String... args) {
    ProducerCommand command = new ProducerCommand();
    command.environment = env;
    new CommandLine(command).parseArgs(args);
    return command;
  }

  static ProducerSettings settings(String... args) {
    return parse(Map.of(), args).settings();
  }

  @Test
  void defaults() {
    ProducerSettings s = settings("--bootstrap-servers", "broker:9092");

    assertThat(s.topic()).isEqualTo(Topics.IMAGES);
    assertThat(s.split()).isEqualTo(MnistSplit.TRAIN);
    assertThat(s.rate()).isZero();
    assertThat(s.plan().epochs()).isEqualTo(1);
    assertThat(s.plan().loop()).isFalse();
    assertThat(s.plan().shuffle()).isFalse();
    assertThat(s.plan().limit()).isEmpty();
    assertThat(s.plan().anomalyRate()).isZero();
    assertThat(s.plan().anomalyKinds()).containsExactly(AnomalyKind.values());
    assertThat(s.mnistDir()).isNull();
    assertThat(s.partitions()).isEqualTo(3);
    assertThat(s.replicationFactor()).isEqualTo((short) 1);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.httpPort()).isEqualTo(ProducerSettings.DEFAULT_HTTP_PORT);
  }

  @Test
  void everyFlag() {
    ProducerSettings s =
        settings(
            "--bootstrap-servers=b:1",
            "--input-topic=t",
            "--split=TEST",
            "--rate=250.5",
            "--loop",
            "--shuffle",
            "--seed=7",
            "--limit=1000",
            "--mnist-dir=/data/mnist",
            "--anomaly-rate=0.25",
            "--anomaly-kinds=patch, noise",
            "--partitions=6",
            "--replication-factor=3",
            "--connect-timeout=500ms",
            "--http-port=-1");

    assertThat(s.topic()).isEqualTo("t");
    assertThat(s.split()).isEqualTo(MnistSplit.TEST);
    assertThat(s.rate()).isEqualTo(250.5);
    assertThat(s.plan().loop()).isTrue();
    assertThat(s.plan().shuffle()).isTrue();
    assertThat(s.plan().seed()).isEqualTo(7);
    assertThat(s.plan().limit()).hasValue(1000);
    assertThat(s.mnistDir()).isEqualTo(Path.of("/data/mnist"));
    assertThat(s.plan().anomalyRate()).isEqualTo(0.25);
    // Declaration order, whatever the order of the flag.
    assertThat(s.plan().anomalyKinds()).containsExactly(AnomalyKind.NOISE, AnomalyKind.PATCH);
    assertThat(s.partitions()).isEqualTo(6);
    assertThat(s.replicationFactor()).isEqualTo((short) 3);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.httpPort()).isEqualTo(-1);
    assertThat(s.plan().bounded()).isTrue();
  }

  @Test
  void badValuesAreUserErrorsNamingTheFlag() {
    assertUserError("--epochs and --loop are mutually exclusive", "--epochs=2", "--loop");
    assertUserError("unknown split 'validation'", "--split=validation");
    assertUserError("--rate must be a number >= 0", "--rate=-5");
    assertUserError("--anomaly-rate must be between 0 and 1", "--anomaly-rate=2");
    assertUserError("--anomaly-kinds: unknown anomaly kind 'blur'", "--anomaly-kinds=noise,blur");
    assertUserError(
        "expected one of noise,inverted,rotated,flipped,salt_pepper,patch", "--anomaly-kinds=blur");
    assertUserError("--anomaly-kinds must name at least one", "--anomaly-kinds=,");
    assertUserError("--partitions must be at least 1", "--partitions=0");
    assertUserError("--replication-factor must be at least 1", "--replication-factor=0");
    assertUserError("--epochs must be at least 1", "--epochs=0");
    assertUserError("--limit must be at least 1", "--limit=0");
    assertUserError("--connect-timeout must be positive", "--connect-timeout=0s");
  }

  @Test
  void scenarioFlagResolvesBuiltInsAndRefusesTheRestNamingIt() {
    assertThat(parse(Map.of(), "--scenario=rotation").scenario().name()).isEqualTo("rotation");
    assertThat(parse(Map.of()).scenario()).isNull();
    assertThatThrownBy(() -> parse(Map.of(), "--scenario=nope").scenario())
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--scenario nope");
    assertThatThrownBy(() -> parse(Map.of(), "--scenario=rotation", "--loop").scenario())
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--loop");
  }

  private static void assertUserError(String message, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--bootstrap-servers=b:1";
    System.arraycopy(args, 0, all, 1, args.length);
    assertThatThrownBy(() -> settings(all))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((UserException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  @Test
  void kafkaPropertiesAreLayeredDefaultsFileEnvironmentFlags(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        "bootstrap.servers=from-file:9092\nlinger.ms=50\nbatch.size=1000\n"
            + "sasl.jaas.config=secret-stuff\ngroup.id=shared-file\nacks=1\n");
    ProducerSettings s =
        parse(
                Map.of("KAFKA_BATCH_SIZE", "2000", "KAFKA_BOOTSTRAP_SERVERS", "from-env:9092"),
                "--kafka-config",
                file.toString(),
                "--bootstrap-servers",
                "from-flag:9092")
            .settings();

    Map<String, Object> producer = s.producerProperties();
    assertThat(producer)
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "from-flag:9092")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "50")
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "2000")
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, ProducerSettings.CLIENT_ID)
        // Not overridable: exactly-once per pass relies on them.
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(SaslConfigs.SASL_JAAS_CONFIG, "secret-stuff")
        // A consumer-only property of a shared file does not reach the producer.
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
    Map<String, Object> admin = s.adminProperties();
    assertThat(admin)
        .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "from-flag:9092")
        .containsEntry(SaslConfigs.SASL_JAAS_CONFIG, "secret-stuff")
        .containsEntry(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)
        .doesNotContainKeys(
            ProducerConfig.LINGER_MS_CONFIG,
            ProducerConfig.ACKS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG);
    assertThat(s.kafka().redacted()).containsEntry(SaslConfigs.SASL_JAAS_CONFIG, "[redacted]");
  }

  @Test
  void overridingTheDeliveryGuaranteesIsIgnoredWithAWarning(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "acks=1\nenable.idempotence=false\n");

    try (LogCapture log = LogCapture.of(ProducerCommand.class)) {
      // A missing --mnist-dir ends the run after the config is checked, before connecting.
      execute(
          "--bootstrap-servers=192.0.2.1:9092",
          "--kafka-config=" + file,
          "--mnist-dir=" + dir.resolve("missing"));

      assertThat(log.messages(Level.WARN))
          .containsExactlyInAnyOrder(
              "Ignoring acks=1 from the Kafka config: the producer always uses acks=all",
              "Ignoring enable.idempotence=false from the Kafka config: the producer always uses"
                  + " enable.idempotence=true");
    }
  }

  @Test
  void missingBootstrapServersIsReportedClearly() {
    Result r = execute("--limit=1");

    assertThat(r.code).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err).contains("no Kafka bootstrap servers: pass --bootstrap-servers");
    assertThat(r.out).isEmpty();
  }

  @Test
  void missingMnistDirIsReportedClearlyBeforeConnecting(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-dir");

    // An unroutable broker: had the producer tried to connect, the test would wait 30 s.
    Result r = execute("--bootstrap-servers=192.0.2.1:9092", "--mnist-dir=" + missing);

    assertThat(r.code).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err)
        .contains("producer: error: bad --mnist-dir: " + missing + ": not a directory");
    assertThat(r.err).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void corruptMnistFilesAreReportedNamingTheFile(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});

    Result r = execute("--bootstrap-servers=192.0.2.1:9092", "--split=test", "--mnist-dir=" + dir);

    assertThat(r.code).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err)
        .contains(
            "bad --mnist-dir: " + dir.resolve("t10k-images-idx3-ubyte") + ": truncated header");
  }

  @Test
  void emptyMnistDirNamesTheMissingFile(@TempDir Path dir) {
    Result r = execute("--bootstrap-servers=192.0.2.1:9092", "--mnist-dir=" + dir);

    assertThat(r.err).contains("bad --mnist-dir: " + dir + ": missing train-images-idx3-ubyte.gz");
  }

  @Test
  void helpListsTheContractFlags() {
    Result r = execute("--help");

    assertThat(r.code).isZero();
    assertThat(r.out)
        .contains(
            "--bootstrap-servers",
            "--input-topic",
            "--split",
            "--rate",
            "--epochs",
            "--loop",
            "--shuffle",
            "--seed",
            "--limit",
            "--mnist-dir",
            "--anomaly-rate",
            "--anomaly-kinds",
            "--partitions",
            "--replication-factor",
            "--kafka-config",
            "--http-port",
            "--connect-timeout");
  }

  record Result(int code, String out, String err) {}

  static Result execute(String... args) {
    ProducerCommand command = new ProducerCommand();
    command.environment = Map.of();
    CommandLine cli = ErrorReporting.commandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
