package dev.vaestream.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * SASL and SSL client settings holding fresh, unique secrets, as an operator would give them to a
 * service: for tests that the secrets reach the Kafka client but never the output.
 *
 * @param saslPassword the password inside {@code sasl.jaas.config}
 * @param keystorePassword {@code ssl.keystore.password}
 */
public record ClientSecrets(String saslPassword, String keystorePassword) {
  /** Kafka's own config dump (INFO, at client creation) shows these when the settings arrived. */
  public static final List<String> KAFKA_CONFIG_DUMP_LINES =
      List.of(
          "security.protocol = SASL_PLAINTEXT",
          "sasl.mechanism = PLAIN",
          "sasl.jaas.config = [hidden]",
          "ssl.keystore.password = [hidden]");

  /** New secrets, unique to this call, so that a match can only be a leak. */
  public static ClientSecrets generate() {
    return new ClientSecrets("sasl-pw-" + UUID.randomUUID(), "keystore-pw-" + UUID.randomUUID());
  }

  /** The value of {@code sasl.jaas.config}. */
  public String jaasConfig() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required"
        + " username=\"vae-stream\" password=\""
        + saslPassword
        + "\";";
  }

  /** The settings as a {@code --kafka-config} properties file in {@code dir}. */
  public Path writePropertiesFile(Path dir) {
    Path file = dir.resolve("client-sasl.properties");
    try {
      Files.writeString(
          file,
          "security.protocol=SASL_PLAINTEXT\n"
              + "sasl.mechanism=PLAIN\n"
              + "sasl.jaas.config="
              + jaasConfig().replace("\\", "\\\\")
              + "\n"
              + "ssl.keystore.password="
              + keystorePassword
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
