package dev.vaestream.bench;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.metrics.MetricsScrape;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.producer.ProducerSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Kafka and HTTP plumbing the benchmarks share: preloading, checkpoints, scraping /metrics. */
final class BenchKafka {

  private BenchKafka() {}

  /**
   * A producer with the producer service's client defaults and required properties ({@link
   * ProducerSettings#clientDefaults()}: lz4, linger 20 ms, 256 KiB batches; idempotent, acks=all)
   * but Kafka's own client id, with room for checkpoint-sized records.
   */
  static KafkaProducer<byte[], byte[]> fastProducer(String bootstrap) {
    Map<String, Object> p = new HashMap<>(ProducerSettings.clientDefaults());
    p.remove(ProducerConfig.CLIENT_ID_CONFIG);
    p.putAll(ProducerSettings.REQUIRED_PRODUCER_PROPERTIES);
    p.putAll(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(p);
  }

  /**
   * Writes {@code n} training images to {@code topic} in the producer's wire format (passes over
   * the split in order, ids {@code train:<index>:<pass>}) and waits for every acknowledgement.
   *
   * @return seconds taken
   */
  static double preload(String bootstrap, String topic, MnistDataset train, int n) {
    long t0 = System.nanoTime();
    try (Producer<byte[], byte[]> producer = fastProducer(bootstrap)) {
      for (int i = 0; i < n; i++) {
        int index = i % train.size();
        ImageRecord img =
            new ImageRecord(
                ImageRecord.id(MnistSplit.TRAIN, index, i / train.size()),
                train.image(index),
                train.label(index),
                MnistSplit.TRAIN,
                index,
                null,
                System.currentTimeMillis());
        producer.send(ImageRecordCodec.toProducerRecord(topic, img));
      }
      producer.flush();
    }
    double seconds = Figures.seconds(System.nanoTime() - t0);
    System.err.printf(
        java.util.Locale.ROOT, "bench: preloaded %d images into %s in %.1f s%n", n, topic, seconds);
    return seconds;
  }

  /** Publishes {@code c} (unsigned) as checkpoint number {@code sequence} and waits for the ack. */
  static void publishCheckpoint(String bootstrap, String topic, long sequence, Checkpoint c) {
    byte[] bytes = CheckpointCodec.unsigned().encode(c);
    try (Producer<byte[], byte[]> producer = fastProducer(bootstrap)) {
      producer.send(CheckpointTopic.record(topic, sequence, c, bytes)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted publishing a checkpoint", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish a checkpoint", e.getCause());
    }
  }

  /** A read_committed consumer outside any group. */
  static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }

  /** Every partition of {@code topic}, waiting up to 30 s for it to exist. */
  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      sleep(100);
    }
  }

  /** A service's {@code /metrics} page on this machine (see {@link MetricsScrape}). */
  static Map<String, Double> scrape(int port) {
    return MetricsScrape.scrape("127.0.0.1", port, Duration.ofSeconds(2));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
