package dev.vaestream.scorer;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Input images and output readers for broker tests. */
final class TestStreams {
  private static MnistDataset test;

  private TestStreams() {}

  /** A short random suffix for unique topic and group names on the shared broker. */
  static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static synchronized MnistDataset mnist() {
    if (test == null) {
      test = MnistDataset.bundled(MnistSplit.TEST);
    }
    return test;
  }

  /**
   * Image number {@code i} of a test stream: MNIST test digits, every 10th turned into an injected
   * anomaly (cycling through the kinds), produced now.
   */
  static ImageRecord image(int i) {
    MnistDataset data = mnist();
    int index = i % data.size();
    AnomalyKind kind =
        i % 10 == 9 ? AnomalyKind.values()[(i / 10) % AnomalyKind.values().length] : null;
    byte[] pixels = data.image(index);
    if (kind != null) {
      pixels = kind.apply(pixels, i);
    }
    return new ImageRecord(
        ImageRecord.id(MnistSplit.TEST, index, i / data.size()),
        pixels,
        data.label(index),
        MnistSplit.TEST,
        index,
        kind,
        System.currentTimeMillis());
  }

  static Producer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /** Sends images {@code from} (inclusive) to {@code to} (exclusive) and flushes. */
  static void produce(Producer<byte[], byte[]> producer, String topic, int from, int to) {
    for (int i = from; i < to; i++) {
      producer.send(ImageRecordCodec.toProducerRecord(topic, image(i)));
    }
    producer.flush();
  }

  /**
   * Reads {@code topic} from the beginning with {@code read_committed} until {@code expected}
   * records arrived or {@code timeout} passed, then for {@code settle} more to catch extras.
   */
  static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrap, String topic, int expected, Duration timeout, Duration settle) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      long settleEnd = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settleEnd) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }
}
