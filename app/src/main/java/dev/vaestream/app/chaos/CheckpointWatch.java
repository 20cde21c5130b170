package dev.vaestream.app.chaos;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.TopicReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a checkpoint topic for the whole campaign and remembers the step of every checkpoint that
 * decodes and verifies, before compaction can remove it: a score is legitimate only if its {@code
 * model_step} is one of those. Also keeps the newest genuine checkpoint, raw and decoded, as the
 * material for forgeries.
 */
final class CheckpointWatch implements Runnable {
  /** A checkpoint as read from the topic. */
  record Seen(byte[] bytes, Checkpoint checkpoint) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final CheckpointCodec codec;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile boolean stopAtEnd;
  private final Set<Long> validSteps = ConcurrentHashMap.newKeySet();
  private volatile Seen newest;

  /** {@code kafka}: how the campaign reaches the broker ({@link ChaosSecurity#superUser}). */
  CheckpointWatch(Map<String, Object> kafka, String topic, CheckpointCodec codec) {
    this.consumer = consumer(kafka);
    this.partition = new TopicPartition(topic, 0);
    this.codec = codec;
  }

  static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
    Map<String, Object> c = new HashMap<>(CheckpointTopic.consumerOverrides());
    c.putAll(kafka);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }

  @Override
  public void run() {
    try {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r);
        }
        if (stopAtEnd && atEnd(consumer, partition)) {
          return;
        }
      }
    } catch (WakeupException e) {
      // stopping
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    try {
      Checkpoint c = codec.decode(r.value(), r.topic() + "@" + r.offset());
      validSteps.add(c.step());
      Seen n = newest;
      if (n == null || c.step() >= n.checkpoint().step()) {
        newest = new Seen(r.value(), c);
      }
    } catch (CheckpointFormatException e) {
      // A forgery or garbage: its step is not one a score may carry.
    }
  }

  /** Steps of every valid checkpoint seen so far. */
  Set<Long> validSteps() {
    return Set.copyOf(validSteps);
  }

  /** The newest valid checkpoint seen so far, or null. */
  Seen newest() {
    return newest;
  }

  /**
   * Reads on to the end the topic has now (its last stable offset: every committed checkpoint),
   * then ends {@link #run}.
   */
  void stopAtEnd() {
    stopAtEnd = true;
  }

  /** Ends {@link #run} now. */
  void stop() {
    running.set(false);
    consumer.wakeup();
  }

  private static boolean atEnd(KafkaConsumer<byte[], byte[]> c, TopicPartition p) {
    return c.position(p) >= c.endOffsets(List.of(p), Duration.ofSeconds(10)).get(p);
  }

  /** The valid checkpoint with the highest step on {@code topic}, read to its end; or null. */
  static Seen newestOn(Map<String, Object> kafka, String topic, CheckpointCodec codec) {
    CheckpointWatch w = new CheckpointWatch(kafka, topic, codec);
    try (KafkaConsumer<byte[], byte[]> c = w.consumer) {
      TopicReader.readToEnd(c, topic, Duration.ofSeconds(30), Duration.ofMinutes(2), w::accept);
    }
    return w.newest;
  }
}
