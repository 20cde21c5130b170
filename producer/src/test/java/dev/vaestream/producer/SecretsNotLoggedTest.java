package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.localkafka.LoopbackPorts;
import dev.vaestream.testsupport.CapturedOutput;
import dev.vaestream.testsupport.ClientSecrets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 7, "secrets never appear in logs": the producer configured for SASL through both {@code
 * --kafka-config} and {@code KAFKA_*} variables, run against a loopback port where nothing listens.
 * Every log event at every level and everything printed is captured; no password appears, while
 * Kafka's own config dump shows that the settings reached the client.
 */
class SecretsNotLoggedTest {

  @Test
  void saslAndKeystorePasswordsNeverReachTheOutput(@TempDir Path dir) {
    ClientSecrets fromFile = ClientSecrets.generate();
    ClientSecrets fromEnv = ClientSecrets.generate();
    CapturedOutput.Run run =
        CapturedOutput.run(
            (out, err) -> {
              ProducerCommand command = new ProducerCommand();
              // The environment wins over the file: both sets of secrets pass through the config
              // layers.
              command.environment =
                  Map.of(
                      "KAFKA_SASL_JAAS_CONFIG", fromEnv.jaasConfig(),
                      "KAFKA_SSL_KEYSTORE_PASSWORD", fromEnv.keystorePassword());
              CommandLine cli = ErrorReporting.commandLine(command);
              cli.setOut(out);
              cli.setErr(err);
              return cli.execute(
                  "--bootstrap-servers=127.0.0.1:" + LoopbackPorts.free(),
                  "--kafka-config=" + fromFile.writePropertiesFile(dir),
                  "--connect-timeout=2s",
                  "--split=test",
                  "--limit=1",
                  "--http-port=-1");
            });

    assertThat(run.exitCode()).as("no broker: the run must fail").isEqualTo(ExitCodes.FAILURE);
    assertThat(run.err()).contains("no answer from Kafka at 127.0.0.1:");
    assertThat(
            CapturedOutput.linesContainingAny(
                run.all(),
                List.of(
                    fromFile.saslPassword(),
                    fromFile.keystorePassword(),
                    fromEnv.saslPassword(),
                    fromEnv.keystorePassword())))
        .as("lines with a secret")
        .isEmpty();
    // The capture works and the settings arrived: Kafka logs its config (INFO, below the tests'
    // WARN for Kafka) with the secrets hidden, and so does our own start-up line.
    assertThat(run.all()).contains(ClientSecrets.KAFKA_CONFIG_DUMP_LINES);
    assertThat(run.all()).contains("sasl.jaas.config=[redacted]");
  }
}
