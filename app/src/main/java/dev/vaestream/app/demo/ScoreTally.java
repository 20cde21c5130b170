package dev.vaestream.app.demo;

import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows {@code anomaly.scores} like a downstream user would (read_committed) and keeps running
 * totals: images scored, anomalies flagged, and precision and recall of the flag against the
 * injected ground truth ({@code anomaly_kind}).
 */
final class ScoreTally implements Runnable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong scored = new AtomicLong();
  final AtomicLong flagged = new AtomicLong();
  final AtomicLong truePositives = new AtomicLong();
  final AtomicLong injected = new AtomicLong();
  final AtomicLong modelStep = new AtomicLong(-1);

  ScoreTally(Map<String, Object> kafka, String topic) {
    Map<String, Object> c = new java.util.HashMap<>(kafka);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "vae-demo-status-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(c);
    this.topic = topic;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          count(r.value());
        }
      }
    } catch (WakeupException e) {
      // stopping
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private void count(byte[] value) {
    // Not a score record: the schema is the scorer's business, the tally counts what it can read.
    ScoreRecordCodec.tryDecode(value).ifPresent(this::count);
  }

  private void count(ScoreRecord score) {
    boolean flag = score.anomaly();
    boolean truth = score.anomalyKind() != null;
    scored.incrementAndGet();
    if (flag) {
      flagged.incrementAndGet();
    }
    if (truth) {
      injected.incrementAndGet();
    }
    if (flag && truth) {
      truePositives.incrementAndGet();
    }
    modelStep.set(score.modelStep());
  }

  double precision() {
    long f = flagged.get();
    return f == 0 ? Double.NaN : (double) truePositives.get() / f;
  }

  double recall() {
    long i = injected.get();
    return i == 0 ? Double.NaN : (double) truePositives.get() / i;
  }

  void stop() {
    running.set(false);
    consumer.wakeup();
  }
}
