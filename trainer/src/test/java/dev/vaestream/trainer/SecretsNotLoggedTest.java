package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.testsupport.CapturedOutput;
import dev.vaestream.testsupport.ClientSecrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 7, "secrets never appear in logs": the trainer with SASL settings from {@code
 * --kafka-config} and a checkpoint signing key, run against a loopback port where nothing listens.
 * Every log event at every level and everything printed is captured; neither the passwords nor the
 * key appear, while Kafka's own config dump shows that the settings reached the client.
 */
class SecretsNotLoggedTest {

  @Test
  void passwordsAndTheSigningKeyNeverReachTheOutput(@TempDir Path dir) {
    ClientSecrets secrets = ClientSecrets.generate();
    String hmacKey = "hmac-key-" + UUID.randomUUID();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    String output;
    // Capture first: picocli must see the swapped System.err when the command line is built.
    try (CapturedOutput captured = CapturedOutput.start()) {
      CommandLine cli = ErrorReporting.commandLine(new TrainerCommand());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      code =
          cli.execute(
              "--bootstrap-servers=127.0.0.1:" + ClientSecrets.closedLoopbackPort(),
              "--kafka-config=" + secrets.writePropertiesFile(dir),
              "--checkpoint-hmac-key=" + hmacKey,
              "--connect-timeout-seconds=2",
              "--http-port=-1");
      output = captured.text() + out + err;
    }

    assertThat(code).as("no broker: the run must fail").isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("cannot reach Kafka within 2000 ms");
    for (String secret : List.of(secrets.saslPassword(), secrets.keystorePassword(), hmacKey)) {
      assertThat(CapturedOutput.linesContaining(output, secret))
          .as("lines with a secret")
          .isEmpty();
    }
    // The capture works and the settings arrived: Kafka logs its config (INFO, below the tests'
    // WARN for Kafka) with the secrets hidden, and so does our own start-up line.
    assertThat(output).contains(ClientSecrets.KAFKA_CONFIG_DUMP_LINES);
    assertThat(output).contains("sasl.jaas.config=[redacted]");
  }

  @Test
  void settingsPrintWithoutTheSigningKey() {
    TrainerCommand command = new TrainerCommand();
    new CommandLine(command)
        .parseArgs("--bootstrap-servers=b:9092", "--checkpoint-hmac-key=k-" + "secret-1234");
    TrainerSettings settings = command.settings();

    assertThat(settings.hmacKey()).isEqualTo("k-secret-1234");
    assertThat(settings.toString())
        .doesNotContain("secret-1234")
        .contains("hmacKey=[redacted]")
        .contains("checkpointTopic=vae.checkpoints");
  }
}
