package dev.vaestream.bench;

import dev.vaestream.scorer.ScorerClients;
import dev.vaestream.scorer.ScorerSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka ceiling for the scorer on this machine: the scorer's loop with the model taken out. A
 * read_committed group consumer and a transactional producer with the scorer's own client
 * properties ({@link ScorerClients}: {@code max.poll.records} = max batch, fetch limits, linger 5
 * ms, 128 KiB lz4 batches), only the group, transactional and client ids its own; per poll one
 * small record per input, then {@code sendOffsetsToTransaction} and a commit when the poll was not
 * full or the transaction is as old as the scorer's commit interval, exactly as the scorer commits.
 */
final class KafkaCeiling {
  private KafkaCeiling() {}

  record Result(long images, double seconds, double imagesPerSec) {}

  /**
   * One pass over the scorer's input topic.
   *
   * @param scorer the scorer's settings: input topic, client properties, max batch, commit interval
   * @param output where the small records go; it exists
   * @param group this pass's consumer group
   * @param transactionalId this pass's transactional id (and client id prefix)
   * @param images records to have committed before the pass ends
   */
  static Result run(
      ScorerSettings scorer, String output, String group, String transactionalId, long images) {
    ScorerClients clients = new ScorerClients(scorer);
    int maxBatch = scorer.maxBatch();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(consumer(clients, group, transactionalId));
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producer(clients, transactionalId))) {
      producer.initTransactions();
      consumer.subscribe(List.of(scorer.inputTopic()));
      long commitNanos = scorer.commitInterval().toNanos();
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

  /**
   * The scorer's input consumer, in this pass's own group and without static membership (each pass
   * is a new, short-lived member of a new group).
   */
  private static Map<String, Object> consumer(ScorerClients scorer, String group, String clientId) {
    Map<String, Object> c = new HashMap<>(scorer.inputConsumer());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-input");
    return c;
  }

  /** The scorer's transactional producer, under this pass's own transactional id. */
  private static Map<String, Object> producer(ScorerClients scorer, String transactionalId) {
    Map<String, Object> p = new HashMap<>(scorer.producer());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId + "-scores");
    return p;
  }
}
