package dev.vaestream.producer;

import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Everything one producer run needs, built once from the flags and immutable afterwards: the Kafka
 * client properties, the topic and how to create it, the data and {@link StreamPlan}, the rate, and
 * the metrics endpoint.
 *
 * @param kafka layered client properties (defaults, file, environment, flags)
 * @param topic the topic to write to
 * @param partitions partitions when the topic is created (and expected when it exists)
 * @param replicationFactor replicas when the topic is created (and expected when it exists)
 * @param split the MNIST split to stream
 * @param mnistDir directory with other IDX files, or null for the bundled MNIST
 * @param rate images per second, 0 for as fast as possible
 * @param plan passes, order, limit and anomalies
 * @param connectTimeout how long start-up may wait for the cluster before giving up
 * @param httpHost interface for {@code /metrics} and {@code /health}
 * @param httpPort port for {@code /metrics} and {@code /health}; -1 disables them, 0 picks one
 */
public record ProducerSettings(
    KafkaClientConfig kafka,
    String topic,
    int partitions,
    short replicationFactor,
    MnistSplit split,
    Path mnistDir,
    double rate,
    StreamPlan plan,
    Duration connectTimeout,
    String httpHost,
    int httpPort) {

  /** The service name: the metrics' {@code service} tag and the shutdown hook's name. */
  public static final String SERVICE = "producer";

  /** Default port of the producer's {@code /metrics} and {@code /health}. */
  public static final int DEFAULT_HTTP_PORT = 9401;

  /** {@code client.id} unless the user sets one. */
  public static final String CLIENT_ID = "vae-stream-producer";

  /**
   * Producer properties that cannot be overridden: the topic's consumers rely on every image
   * arriving exactly once per pass, in order per partition, which is what idempotence with {@code
   * acks=all} guarantees across retries.
   */
  public static final Map<String, Object> REQUIRED_PRODUCER_PROPERTIES =
      Map.of(
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          "true",
          ProducerConfig.ACKS_CONFIG,
          "all",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName());

  /** Validates; messages name the flag to fix. */
  public ProducerSettings {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("--input-topic must not be empty");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "--replication-factor must be at least 1, got " + replicationFactor);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(
          "--rate must be a number >= 0 (0 = as fast as possible), got " + rate);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("--connect-timeout must be positive");
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be a port number, 0 (any) or -1 (off), got " + httpPort);
    }
  }

  /**
   * Service defaults for the producer, the lowest layer of {@link KafkaClientConfig}, chosen for
   * throughput with small (about 900-byte) records and measured with {@code ProducerBenchmark}: lz4
   * beat no compression by about 1.2x (MNIST is mostly zeros, so batches shrink about 3.5x and the
   * broker writes less); 256 KiB batches with a 20 ms linger beat 64 KiB ones, and 1 MiB ones were
   * not clearly faster while coming close to the default 1 MiB request and message size limits.
   */
  public static Map<String, Object> clientDefaults() {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    defaults.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    defaults.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    defaults.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return defaults;
  }

  /** Properties for the {@code KafkaProducer}: the layered config plus the required ones. */
  public Map<String, Object> producerProperties() {
    Map<String, Object> props = forClient(ProducerConfig.configNames());
    props.putAll(REQUIRED_PRODUCER_PROPERTIES);
    return props;
  }

  /** How the output topic is created or checked: the catalogue's input topic, under its name. */
  public TopicDefinition topicDefinition() {
    return TopicCatalog.images(partitions, replicationFactor).named(topic);
  }

  /** Properties for the admin client that creates and checks the topic. */
  public Map<String, Object> adminProperties() {
    Map<String, Object> props = forClient(AdminClientConfig.configNames());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId() + "-admin");
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    return props;
  }

  /** The producer's {@code client.id}. */
  public String clientId() {
    String id = kafka.get(ProducerConfig.CLIENT_ID_CONFIG);
    return id == null || id.isBlank() ? CLIENT_ID : id;
  }

  /** The layered properties this client type knows (see {@link KafkaClientConfig#forClient}). */
  private Map<String, Object> forClient(Set<String> known) {
    return kafka.forClient(known);
  }
}
