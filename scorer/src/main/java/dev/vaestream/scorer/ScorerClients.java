package dev.vaestream.scorer;

import dev.vaestream.core.kafka.CheckpointTopic;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The properties of the scorer's Kafka clients. Each is layered: the scorer's defaults for that
 * client, then the user's layered config ({@code --kafka-config}, {@code KAFKA_*}, flags), then the
 * properties exactly-once depends on, which cannot be overridden. Public for the bench's Kafka
 * ceiling, which runs the scorer's loop with these very clients and no model.
 */
public final class ScorerClients {
  private final ScorerSettings settings;

  public ScorerClients(ScorerSettings settings) {
    this.settings = settings;
  }

  /** The group consumer of the input topic. */
  public Map<String, Object> inputConsumer() {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-input");
    defaults.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Latency: the broker answers a fetch as soon as one byte is there; when nothing is, a short
    // wait keeps the loop responsive.
    defaults.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    // Bounded memory under any backlog: at most this much is buffered ahead of the scorer.
    defaults.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024);
    defaults.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
    Map<String, Object> props = layered(defaults, ConsumerConfig.configNames());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    // Static membership: a restarted instance takes its partitions back at once, without a
    // rebalance or waiting out the dead member's session.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.transactionalId());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxBatch());
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  /** The transactional producer of scores and dead letters. */
  public Map<String, Object> producer() {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-scores");
    defaults.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    defaults.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    defaults.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // A transaction that starts while the previous one's markers are still being written is told
    // to retry (CONCURRENT_TRANSACTIONS); at the default 100 ms backoff that was the scorer's p99.
    defaults.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    Map<String, Object> props = layered(defaults, ProducerConfig.configNames());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /** The checkpoint reader: outside any group, committed checkpoints only, large fetches. */
  Map<String, Object> checkpointConsumer() {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-checkpoints");
    Map<String, Object> props = layered(defaults, ConsumerConfig.configNames());
    props.putAll(CheckpointTopic.consumerOverrides());
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A checkpoint is about 5 MB: a few per poll keep memory bounded.
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  /** The admin client that creates the output topics. */
  Map<String, Object> admin() {
    Map<String, Object> props = layered(Map.of(), AdminClientConfig.configNames());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-admin");
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    return props;
  }

  /**
   * The admin client that checks (or creates) the statistics topic: {@link #admin()} with the admin
   * settings of {@code --stats-config} on top, so the topic is looked up as the statistics'
   * principal, which is the one holding ACLs on it when the statistics run as their own user.
   */
  Map<String, Object> statsAdmin() {
    Map<String, Object> props = admin();
    if (settings.stats() != null) {
      settings.stats().overrides().entrySet().stream()
          .filter(e -> AdminClientConfig.configNames().contains(e.getKey()))
          .forEach(e -> props.put(e.getKey(), e.getValue()));
    }
    return props;
  }

  /**
   * Client properties for Kafka Streams: the user's whole layered config (connection and security
   * apply to every Streams client), minus the settings that belong to the scorer's own clients.
   */
  Map<String, Object> streamsClientProperties() {
    Map<String, Object> props = new TreeMap<>(settings.kafka().asMap());
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.remove(ConsumerConfig.CLIENT_ID_CONFIG);
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    return props;
  }

  /**
   * The scorer's defaults for one client, overridden by the user's layered properties that this
   * client knows. Properties only another client type knows are left out (one {@code
   * --kafka-config} file typically serves every service, and Kafka warns about each unknown
   * property); unknown ones (plugin settings) are kept.
   */
  private Map<String, Object> layered(Map<String, Object> defaults, Set<String> known) {
    Map<String, Object> props = new TreeMap<>(defaults);
    props.putAll(settings.kafka().forClient(known));
    return props;
  }
}
