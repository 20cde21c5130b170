package dev.vaestream.core.cli;

import dev.vaestream.core.config.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * The Kafka flags every service shares, as a picocli mixin: the cluster, the client properties
 * file, and how long start-up may wait for the cluster. Client properties are layered: service
 * defaults, then {@code --kafka-config}, then {@code KAFKA_*} environment variables, then flags.
 */
public final class KafkaOptions {
  /** The {@code --connect-timeout} default. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

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

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long start-up may wait for Kafka to answer, e.g. 30s, 1.5s, 2m (default 30s).")
  Duration connectTimeout;

  // Picocli applies defaults to unmatched options after parsing, so an alias keeps its own field.
  private Duration deprecatedConnectTimeout;

  /** The old spelling of {@code --connect-timeout}, in whole seconds. */
  @Option(names = "--connect-timeout-seconds", paramLabel = "S", hidden = true)
  void connectTimeoutSeconds(long seconds) {
    Deprecations.flag("--connect-timeout-seconds", "--connect-timeout (e.g. 30s)");
    if (seconds < 1) {
      throw new picocli.CommandLine.TypeConversionException(
          "--connect-timeout-seconds must be at least 1, got " + seconds);
    }
    deprecatedConnectTimeout = Duration.ofSeconds(seconds);
  }

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

  /**
   * How long start-up may wait for the cluster.
   *
   * @throws UserException (exit 2) unless positive
   */
  public Duration connectTimeout() {
    Duration timeout =
        connectTimeout != null
            ? connectTimeout
            : deprecatedConnectTimeout != null ? deprecatedConnectTimeout : DEFAULT_CONNECT_TIMEOUT;
    if (timeout.isZero() || timeout.isNegative()) {
      throw new UserException(
          "--connect-timeout must be positive, got " + DurationConverter.format(timeout));
    }
    return timeout;
  }

  public void connectTimeout(Duration timeout) {
    this.connectTimeout = timeout;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public void bootstrapServers(String servers) {
    this.bootstrapServers = servers;
  }
}
