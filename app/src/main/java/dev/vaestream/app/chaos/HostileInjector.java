package dev.vaestream.app.chaos;

import dev.vaestream.core.kafka.CheckpointTopic;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the hostile records of a campaign, as something other than the services would: hostile
 * inputs in small bursts at random moments, and forged checkpoints once the trainer has published a
 * genuine one to forge from. Remembers where every hostile input landed, for the audit.
 */
final class HostileInjector {
  private static final Logger log = LoggerFactory.getLogger(HostileInjector.class);

  private final Map<String, Object> kafka;
  private final BooleanSupplier keepGoing;
  private final Set<String> inputPositions = ConcurrentHashMap.newKeySet();
  private final Map<HostileInputs.Kind, AtomicInteger> inputKinds =
      new EnumMap<>(HostileInputs.Kind.class);
  private final AtomicInteger checkpointsSent = new AtomicInteger();

  /**
   * {@code kafka}: how the campaign reaches the broker; on a secured broker the super user's
   * settings, as an attacker who compromised a checkpoint writer would hold them.
   */
  HostileInjector(Map<String, Object> kafka, BooleanSupplier keepGoing) {
    this.kafka = Map.copyOf(kafka);
    this.keepGoing = keepGoing;
    for (HostileInputs.Kind k : HostileInputs.Kind.values()) {
      inputKinds.put(k, new AtomicInteger());
    }
  }

  /** Writes {@code count} hostile records to {@code topic}, 1-5 at a time, 0.1-1.5 s apart. */
  void inputs(String topic, int count, long seed, SplittableRandom timing) {
    HostileInputs hostile = new HostileInputs(topic, seed);
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      int sent = 0;
      while (sent < count && keepGoing.getAsBoolean()) {
        Thread.sleep(timing.nextLong(100, 1_500));
        int burst = Math.min(count - sent, timing.nextInt(1, 6));
        for (int i = 0; i < burst; i++) {
          HostileInputs.Hostile h = hostile.next();
          RecordMetadata m = sendWithRetry(p, h.record());
          inputPositions.add(Audit.position(m.partition(), m.offset()));
          inputKinds.get(h.kind()).incrementAndGet();
          sent++;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes {@code count} forged or broken checkpoints to {@code topic}, 1-4 s apart. */
  void checkpoints(
      String topic,
      int count,
      String hmacKey,
      long seed,
      CheckpointWatch genuine,
      SplittableRandom timing) {
    HostileCheckpoints hostile = new HostileCheckpoints(topic, hmacKey, seed);
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      while (checkpointsSent.get() < count && keepGoing.getAsBoolean()) {
        Thread.sleep(timing.nextLong(1_000, 4_000));
        CheckpointWatch.Seen model = genuine.newest();
        if (model != null) {
          sendWithRetry(p, hostile.next(model.bytes(), model.checkpoint()));
          checkpointsSent.incrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Partition and offset of every hostile input written. */
  Set<String> inputPositions() {
    return Set.copyOf(inputPositions);
  }

  /** Hostile inputs written, by kind. */
  Map<String, Integer> inputKinds() {
    Map<String, Integer> m = new LinkedHashMap<>();
    inputKinds.forEach((k, v) -> m.put(k.code(), v.get()));
    return m;
  }

  int checkpointsSent() {
    return checkpointsSent.get();
  }

  /** Sends and waits for the acknowledgement, retrying while the broker is restarting. */
  private RecordMetadata sendWithRetry(
      KafkaProducer<byte[], byte[]> p, ProducerRecord<byte[], byte[]> record)
      throws InterruptedException {
    while (true) {
      try {
        return p.send(record).get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        log.warn("chaos: hostile record not acknowledged ({}); retrying", e.toString());
        Thread.sleep(1_000);
      }
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    // Checkpoint-sized records, and oversize inputs up to ~1 MB.
    Map<String, Object> c = new java.util.HashMap<>(CheckpointTopic.producerOverrides());
    c.putAll(kafka);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(2).toMillis());
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(c);
  }
}
