package dev.vaestream.core.cli;

import dev.vaestream.core.config.KafkaClientConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * The Kafka flags every service shares, as a picocli mixin. Client properties are layered: service
 * defaults, then {@code --kafka-config}, then {@code KAFKA_*} environment variables, then flags.
 */
public final class KafkaOptions {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrapServers;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description = "Kafka client properties file (e.g. SASL/SSL settings).")
  Path kafkaConfig;

  /** The layered client config, with {@code defaults} at the bottom. */
  public KafkaClientConfig clientConfig(Map<String, ?> defaults) {
    return clientConfig(defaults, System.getenv());
  }

  /** As {@link #clientConfig(Map)}, with an explicit environment (for tests). */
  public KafkaClientConfig clientConfig(Map<String, ?> defaults, Map<String, String> env) {
    return KafkaClientConfig.builder()
        .defaults(defaults)
        .file(kafkaConfig)
        .environment(env)
        .flag(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)
        .build();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public void bootstrapServers(String servers) {
    this.bootstrapServers = servers;
  }
}
