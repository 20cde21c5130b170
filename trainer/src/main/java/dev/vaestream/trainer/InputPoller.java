package dev.vaestream.trainer;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the input topic and decodes records on its own thread, so that the training thread only
 * trains. Items go to a bounded queue (back-pressure: when it is full this thread waits, keeping
 * memory bounded under any backlog). On assignment it seeks to the offsets of the restored
 * checkpoint, which may be behind the group's committed offsets when the newest checkpoint was
 * corrupt. When the same partitions come back after a rejoin it continues from the offsets it has
 * already queued, so a broker fault that moves the group coordinator costs no restart.
 *
 * <p>The consumer is touched only by this thread; the group metadata the training thread needs for
 * {@code sendOffsetsToTransaction} is published after each poll.
 */
final class InputPoller implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(InputPoller.class);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final MnistSplit learnSplit;
  private final Map<TopicPartition, Long> startOffsets;
  private final BlockingQueue<InputItem> queue;
  private final AtomicBoolean running = new AtomicBoolean(true);

  /** Per partition, the offset after the last record queued; only this thread touches it. */
  private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();

  private volatile ConsumerGroupMetadata groupMetadata;
  private volatile long lastPollMs;
  private volatile Throwable failure;

  InputPoller(
      Consumer<byte[], byte[]> consumer,
      String topic,
      MnistSplit learnSplit,
      Map<TopicPartition, Long> startOffsets,
      BlockingQueue<InputItem> queue) {
    this.consumer = consumer;
    this.topic = topic;
    this.learnSplit = learnSplit;
    this.startOffsets = startOffsets;
    this.queue = queue;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new SeekToCheckpoint());
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        lastPollMs = System.currentTimeMillis();
        groupMetadata = consumer.groupMetadata();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (!offer(decode(r))) {
            return;
          }
          nextOffsets.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        failure = e;
      }
    } catch (RuntimeException e) {
      log.error("Input consumer failed: {}", e.toString());
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private InputItem decode(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    try {
      ImageRecord image = ImageRecordCodec.decode(r);
      float[] pixels = new float[MnistDataset.PIXELS];
      byte[] px = image.pixels();
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (px[i] & 0xff) / 255f;
      }
      boolean learnable = learnSplit == null || image.split() == learnSplit;
      return new InputItem.Image(tp, r.offset(), pixels, learnable, image.phase());
    } catch (InvalidRecordException e) {
      return new InputItem.Invalid(r, e);
    }
  }

  /** Waits for room in the queue; false when stopping. */
  private boolean offer(InputItem item) {
    try {
      while (running.get()) {
        if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  long lastPollMs() {
    return lastPollMs;
  }

  Throwable failure() {
    return failure;
  }

  void stop() {
    running.set(false);
    consumer.wakeup();
  }

  private final class SeekToCheckpoint implements ConsumerRebalanceListener {
    private final Set<TopicPartition> held = new HashSet<>();

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (held.isEmpty()) {
        held.addAll(partitions);
        for (TopicPartition tp : partitions) {
          Long offset = startOffsets.get(tp);
          if (offset != null) {
            consumer.seek(tp, offset);
            log.info("Partition {} starts at checkpoint offset {}", tp, offset);
          }
        }
        return;
      }
      if (!held.equals(new HashSet<>(partitions))) {
        // Partitions taken away (another consumer joined: its next commit would clash with this
        // trainer's) or one this trainer never held (another may have learned from it): only a
        // restart from the last checkpoint resumes exactly.
        failure =
            new IllegalStateException(
                "input partitions "
                    + partitions
                    + " were assigned after "
                    + held
                    + " (another consumer joined the group?); restart to resume from the last"
                    + " checkpoint");
        running.set(false);
        return;
      }
      // The same partitions back after a rejoin (the group coordinator moved, or a broker
      // outage outlived the session): the eager protocol dropped their positions, and the
      // group's committed offsets lag what is already queued, so continue from this thread's own.
      for (TopicPartition tp : partitions) {
        Long next = nextOffsets.get(tp);
        Long offset = next != null ? next : startOffsets.get(tp);
        if (offset != null) {
          consumer.seek(tp, offset);
        }
        log.info("Partition {} assigned again; continuing at offset {}", tp, offset);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      log.info("Partitions revoked: {}", partitions);
    }
  }
}
