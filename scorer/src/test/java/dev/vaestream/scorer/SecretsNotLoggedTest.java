package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.localkafka.LoopbackPorts;
import dev.vaestream.testsupport.CapturedOutput;
import dev.vaestream.testsupport.ClientSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 7, "secrets never appear in logs": the scorer with SASL settings from {@code
 * --kafka-config} and a checkpoint signing key, run against a loopback port where nothing listens.
 * Every log event at every level and everything printed is captured; neither the passwords nor the
 * key appear, while Kafka's own config dump shows that the settings reached the client.
 */
class SecretsNotLoggedTest {

  @Test
  void passwordsAndTheSigningKeyNeverReachTheOutput(@TempDir Path dir) {
    ClientSecrets secrets = ClientSecrets.generate();
    String hmacKey = "hmac-key-" + UUID.randomUUID();
    CapturedOutput.Run run =
        CapturedOutput.run(
            (out, err) -> {
              CommandLine cli = ErrorReporting.commandLine(new ScorerCommand());
              cli.setOut(out);
              cli.setErr(err);
              return cli.execute(
                  "--bootstrap-servers=127.0.0.1:" + LoopbackPorts.free(),
                  "--kafka-config=" + secrets.writePropertiesFile(dir),
                  "--checkpoint-hmac-key=" + hmacKey,
                  "--connect-timeout=2s",
                  "--instance-id=secrets-test",
                  "--stats-state-dir=" + dir.resolve("state"),
                  "--http-port=-1");
            });

    assertThat(run.exitCode()).as("no broker: the run must fail").isEqualTo(ExitCodes.FAILURE);
    assertThat(run.err()).contains("no answer from Kafka at 127.0.0.1:");
    assertThat(
            CapturedOutput.linesContainingAny(
                run.all(), List.of(secrets.saslPassword(), secrets.keystorePassword(), hmacKey)))
        .as("lines with a secret")
        .isEmpty();
    // The capture works and the settings arrived: Kafka logs its config (INFO, below the tests'
    // WARN for Kafka) with the secrets hidden, and so does our own start-up line.
    assertThat(run.all()).contains(ClientSecrets.KAFKA_CONFIG_DUMP_LINES);
    assertThat(run.all()).contains("sasl.jaas.config=[redacted]");
  }

  @Test
  void settingsPrintWithoutTheSigningKeyOrStreamsSecrets(@TempDir Path dir) throws Exception {
    Path streams = dir.resolve("streams.properties");
    Files.writeString(streams, "sasl.jaas.config=x password=\"streams-secret-42\";\nlinger.ms=5\n");
    ScorerCommand command = new ScorerCommand();
    ErrorReporting.commandLine(command)
        .parseArgs(
            "--bootstrap-servers=b:9092",
            "--instance-id=a",
            "--checkpoint-hmac-key=k-secret-1234",
            "--stats-config=" + streams);
    ScorerSettings settings = command.settings(Map.of());

    assertThat(settings.checkpointKey()).isEqualTo("k-secret-1234");
    assertThat(settings.stats().overrides()).containsKey("sasl.jaas.config");
    assertThat(settings.toString())
        .doesNotContain("secret-1234")
        .doesNotContain("streams-secret-42")
        .contains("checkpointKey=[redacted]")
        .contains("linger.ms=5")
        .contains("instanceId=a");
  }
}
