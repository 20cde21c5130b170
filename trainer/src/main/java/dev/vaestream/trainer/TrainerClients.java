package dev.vaestream.trainer;

import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.metrics.ServiceMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Creates the trainer's Kafka clients from its settings: the transactional producer, the input
 * consumer (in the group, read_committed, offsets committed only through transactions) and the
 * checkpoint reader (outside any group).
 */
public final class TrainerClients {
  private final TrainerSettings settings;
  private final ServiceMetrics metrics;

  /**
   * @param metrics where the clients' {@code KafkaClientMetrics} binders go; closing it closes them
   */
  TrainerClients(TrainerSettings settings, ServiceMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  private <T extends AutoCloseable> T bind(T client) {
    if (client instanceof Producer<?, ?> p) {
      metrics.bind(new KafkaClientMetrics(p));
    } else if (client instanceof Consumer<?, ?> c) {
      metrics.bind(new KafkaClientMetrics(c));
    }
    return client;
  }

  Producer<byte[], byte[]> producer() {
    Map<String, Object> p = producerProperties(settings.transactionalId());
    return bind(new KafkaProducer<byte[], byte[]>(settings.kafka().with(p)));
  }

  /**
   * The transactional producer's own properties, which override the user's layered config: room for
   * checkpoint-sized records, idempotence and acks=all, a 120 s transaction timeout. Public for the
   * bench, which publishes checkpoints as the trainer does.
   */
  public static Map<String, Object> producerProperties(String transactionalId) {
    Map<String, Object> p = new HashMap<>(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId(""));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  Consumer<byte[], byte[]> inputConsumer() {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    // Static membership: a restarted trainer takes its partitions back at once instead of
    // waiting for the killed member's session to expire; a second instance is fenced.
    c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.transactionalId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("input"));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return bind(new KafkaConsumer<byte[], byte[]>(settings.kafka().with(c)));
  }

  Consumer<byte[], byte[]> checkpointConsumer() {
    Map<String, Object> c = new HashMap<>(CheckpointTopic.consumerOverrides());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("checkpoints"));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(settings.kafka().with(c));
  }
}
