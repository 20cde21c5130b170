package dev.vaestream.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.vaestream.localkafka.LocalKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the embedded broker does what the services' tests rely on. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LocalKafkaIT {

  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(30);

  private static LocalKafka sharedFromBeforeAll;

  @BeforeAll
  static void rememberBroker(LocalKafka kafka) {
    sharedFromBeforeAll = kafka;
  }

  @Test
  void extensionSharesOneBroker(LocalKafka kafka) {
    assertThat(kafka).isSameAs(sharedFromBeforeAll);
    assertThat(kafka.bootstrapServers()).startsWith("localhost:");
  }

  @Test
  void topicsAreNotCreatedOnFirstUse(LocalKafka kafka) throws Exception {
    String topic = unique("never-created");
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      // A producer's metadata request would create the topic if auto-creation were on.
      Throwable thrown =
          catchThrowable(() -> producer.send(new ProducerRecord<>(topic, "k", "v")).get());
      assertThat(Stream.iterate(thrown, Objects::nonNull, Throwable::getCause))
          .as("the send fails: %s", thrown)
          .anyMatch(t -> t instanceof org.apache.kafka.common.errors.TimeoutException);
    }
    try (Admin admin = admin(kafka)) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
    }
  }

  @Test
  void readCommittedSeesCommittedTransactionsOnly(LocalKafka kafka) throws Exception {
    String topic = unique("tx");
    kafka.createTopic(topic, 1, Map.of());

    try (KafkaProducer<String, String> producer = transactionalProducer(kafka, unique("tx-id"))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
      producer.commitTransaction();
    }

    try (KafkaConsumer<String, String> committed = consumer(kafka, null, "read_committed")) {
      assertThat(values(readAll(committed, topic, 2)))
          .containsExactly("committed-1", "committed-2");
    }
    try (KafkaConsumer<String, String> uncommitted = consumer(kafka, null, "read_uncommitted")) {
      assertThat(values(readAll(uncommitted, topic, 3)))
          .containsExactly("committed-1", "aborted", "committed-2");
    }
  }

  @Test
  void sendOffsetsToTransactionCommitsConsumerOffsetsAtomically(LocalKafka kafka) throws Exception {
    String input = unique("in");
    String output = unique("out");
    String group = unique("group");
    kafka.createTopic(input, 2, Map.of());
    kafka.createTopic(output, 1, Map.of());

    try (KafkaProducer<String, String> producer = plainProducer(kafka)) {
      for (int i = 0; i < 6; i++) {
        producer.send(new ProducerRecord<>(input, i % 2, "k", "v" + i)).get();
      }
    }

    try (KafkaConsumer<String, String> consumer = consumer(kafka, group, "read_committed");
        KafkaProducer<String, String> producer = transactionalProducer(kafka, unique("ctp"))) {
      producer.initTransactions();
      consumer.subscribe(List.of(input));
      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      long deadline = System.nanoTime() + POLL_TIMEOUT.toNanos();
      while (seen.size() < 6 && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
          seen.add(r);
          producer.send(new ProducerRecord<>(output, r.key(), r.value().toUpperCase()));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
      }
      assertThat(seen).hasSize(6);
    }

    try (Admin admin = admin(kafka)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      assertThat(committed)
          .containsEntry(new TopicPartition(input, 0), new OffsetAndMetadata(3))
          .containsEntry(new TopicPartition(input, 1), new OffsetAndMetadata(3));
    }
    try (KafkaConsumer<String, String> check = consumer(kafka, null, "read_committed")) {
      assertThat(values(readAll(check, output, 6)))
          .containsExactlyInAnyOrder("V0", "V1", "V2", "V3", "V4", "V5");
    }
  }

  @Test
  void twentyMegabyteRecordRoundTrips(LocalKafka kafka) throws Exception {
    String topic = unique("large");
    int limit = LocalKafka.MAX_MESSAGE_BYTES;
    kafka.createTopic(
        topic, 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(limit)));
    byte[] payload = new byte[20 * 1024 * 1024];
    new Random(42).nextBytes(payload);

    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limit);
    producerConfig.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * limit);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, payload)).get(60, TimeUnit.SECONDS);
    }

    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerConfig.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, limit);
    consumerConfig.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, limit);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<ConsumerRecord<byte[], byte[]>> records = readAll(consumer, topic, 1);
      byte[] received = records.get(0).value();
      assertThat(received).hasSize(payload.length);
      assertThat(Arrays.mismatch(received, payload)).isEqualTo(-1);
    }
  }

  @Test
  void restartKeepsDataAndClientsReconnect() throws Exception {
    try (LocalKafka kafka = LocalKafka.start()) {
      String topic = unique("restart");
      String group = unique("restart-group");
      kafka.createTopic(topic, 2, Map.of());
      String bootstrap = kafka.bootstrapServers();

      try (KafkaProducer<String, String> producer = plainProducer(kafka)) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>(topic, i % 2, "k", "before-" + i)).get();
        }
        try (KafkaConsumer<String, String> consumer = consumer(kafka, group, "read_committed")) {
          consumer.subscribe(List.of(topic));
          assertThat(pollUntil(consumer, 10)).hasSize(10);
          consumer.commitSync();
        }

        kafka.restartBroker();
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);

        // The producer created before the restart reconnects by itself.
        for (int i = 0; i < 10; i++) {
          producer
              .send(new ProducerRecord<>(topic, i % 2, "k", "after-" + i))
              .get(30, TimeUnit.SECONDS);
        }
      }

      // The group's committed offsets survived: it resumes after the old records.
      try (KafkaConsumer<String, String> consumer = consumer(kafka, group, "read_committed")) {
        consumer.subscribe(List.of(topic));
        assertThat(values(pollUntil(consumer, 10)))
            .hasSize(10)
            .allMatch(v -> v.startsWith("after-"));
      }
      // The log data survived: everything is still there from the start.
      try (KafkaConsumer<String, String> all = consumer(kafka, null, "read_committed")) {
        List<String> values = values(readAll(all, topic, 20));
        assertThat(values).hasSize(20);
        assertThat(values.stream().filter(v -> v.startsWith("before-"))).hasSize(10);
      }
      // Transactions still work after the restart.
      try (KafkaProducer<String, String> tx = transactionalProducer(kafka, unique("tx-after"))) {
        tx.initTransactions();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>(topic, 0, "k", "tx-after"));
        tx.commitTransaction();
      }
      try (KafkaConsumer<String, String> all = consumer(kafka, null, "read_committed")) {
        assertThat(values(readAll(all, topic, 21))).contains("tx-after");
      }
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private static KafkaProducer<String, String> plainProducer(LocalKafka kafka) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaProducer<String, String> transactionalProducer(
      LocalKafka kafka, String transactionalId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(
      LocalKafka kafka, String groupId, String isolationLevel) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (groupId != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  private static Admin admin(LocalKafka kafka) {
    return Admin.create(
        Map.<String, Object>of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  /** Reads every partition of {@code topic} from the start (no group) until {@code n} records. */
  private static <K, V> List<ConsumerRecord<K, V>> readAll(
      KafkaConsumer<K, V> consumer, String topic, int n) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    List<ConsumerRecord<K, V>> records = pollUntil(consumer, n);
    // Nothing more than expected arrives (e.g. an aborted record leaking through).
    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    assertThat(records).as("records of %s", topic).hasSize(n);
    return records;
  }

  private static <K, V> List<ConsumerRecord<K, V>> pollUntil(KafkaConsumer<K, V> consumer, int n) {
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    await(n + " records")
        .pollInSameThread() // a KafkaConsumer belongs to one thread
        .atMost(POLL_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(records::add);
              return records.size() >= n;
            });
    return records;
  }

  private static <K> List<String> values(List<ConsumerRecord<K, String>> records) {
    return records.stream().map(ConsumerRecord::value).toList();
  }
}
