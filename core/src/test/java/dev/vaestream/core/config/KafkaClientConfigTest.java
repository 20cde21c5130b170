package dev.vaestream.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {
  @TempDir Path dir;

  @Test
  void layersApplyInOrderDefaultsFileEnvFlags() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        "bootstrap.servers=file:9092\nlinger.ms=7\nsecurity.protocol=SASL_SSL\n"
            + "sasl.mechanism=PLAIN\n");
    KafkaClientConfig c =
        KafkaClientConfig.builder()
            .defaults(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all"))
            .file(file)
            .environment(
                Map.of(
                    "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                    "KAFKA_HEAP_OPTS", "-Xmx1g",
                    "PATH", "/bin"))
            .flag(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "flag:9092")
            .flag(ProducerConfig.CLIENT_ID_CONFIG, null)
            .build();
    assertThat(c.bootstrapServers()).isEqualTo("flag:9092");
    assertThat(c.get(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("7");
    assertThat(c.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
    assertThat(c.get(SaslConfigs.SASL_MECHANISM)).isEqualTo("SCRAM-SHA-512");
    assertThat(c.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)).isEqualTo("SASL_SSL");
    assertThat(c.asMap()).doesNotContainKey("heap.opts").doesNotContainKey("client.id");
  }

  @Test
  void secretsAreRedacted() {
    KafkaClientConfig c =
        KafkaClientConfig.builder()
            .environment(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                    "KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";",
                    "KAFKA_SSL_KEYSTORE_PASSWORD", "hunter3"))
            .build();
    assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("hunter3");
    assertThat(c.redacted()).containsEntry("ssl.keystore.password", "[redacted]");
    assertThat(c.get(SaslConfigs.SASL_JAAS_CONFIG)).contains("hunter2");
  }

  @Test
  void missingFileAndMissingBootstrapAreClearErrors() {
    assertThatThrownBy(() -> KafkaClientConfig.builder().file(dir.resolve("nope.properties")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.properties: no such file");
    assertThatThrownBy(() -> KafkaClientConfig.builder().build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--bootstrap-servers");
  }
}
