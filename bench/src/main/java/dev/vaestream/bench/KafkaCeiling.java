package dev.vaestream.bench;

import dev.vaestream.core.kafka.TopicAdmin;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka ceiling for the scorer on this machine: the scorer's loop with the model taken out. A
 * read_committed group consumer and a transactional producer with the scorer's client settings
 * ({@code max.poll.records} 512, fetch limits, linger 5 ms, 128 KiB lz4 batches); per poll one
 * small record per input, then {@code sendOffsetsToTransaction} and a commit when the poll was not
 * full or the transaction is 100 ms old, exactly as the scorer commits.
 */
final class KafkaCeiling {
  private KafkaCeiling() {}

  record Result(long images, double seconds, double imagesPerSec) {}

  static Result run(
      String bootstrap,
      String input,
      String output,
      int partitions,
      String group,
      String transactionalId,
      long images,
      int maxBatch,
      Duration commitInterval) {
    Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin a = Admin.create(admin)) {
      TopicAdmin.ensure(a, output, partitions, (short) 1, Map.of(), 30_000);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumer(bootstrap, group));
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producer(bootstrap, transactionalId))) {
      producer.initTransactions();
      consumer.subscribe(List.of(input));
      long commitNanos = commitInterval.toNanos();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      boolean inTransaction = false;
      long transactionStart = 0;
      long pending = 0;
      long committed = 0;
      long t0 = System.nanoTime();
      long deadline = t0 + 600_000_000_000L;
      while (committed < images) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("ceiling loop did not finish within 10 minutes");
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
            transactionStart = System.nanoTime();
          }
          for (ConsumerRecord<byte[], byte[]> r : records) {
            producer.send(new ProducerRecord<>(output, null, r.key(), small(r)));
            offsets.put(
                new TopicPartition(r.topic(), r.partition()),
                new OffsetAndMetadata(r.offset() + 1));
          }
          pending += records.count();
        }
        if (inTransaction
            && (records.count() < maxBatch
                || System.nanoTime() - transactionStart >= commitNanos)) {
          producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
          producer.commitTransaction();
          inTransaction = false;
          committed += pending;
          pending = 0;
          offsets.clear();
        }
      }
      double seconds = Figures.seconds(System.nanoTime() - t0);
      return new Result(committed, seconds, committed / seconds);
    }
  }

  /** 20 bytes: partition, offset and a score-sized double. */
  private static byte[] small(ConsumerRecord<byte[], byte[]> r) {
    return ByteBuffer.allocate(20)
        .putInt(r.partition())
        .putLong(r.offset())
        .putDouble(r.value() == null ? 0 : r.value().length)
        .array();
  }

  private static Map<String, Object> consumer(String bootstrap, String group) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 512);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return c;
  }

  private static Map<String, Object> producer(String bootstrap, String transactionalId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }
}
