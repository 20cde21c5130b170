package dev.vaestream.trainer;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * corrupt.
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
    private boolean assignedBefore;

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (assignedBefore) {
        // Queued items may already cover these partitions past their committed offsets; the only
        // exact recovery is a restart from the last checkpoint.
        failure =
            new IllegalStateException(
                "input partitions were reassigned (another consumer joined group?);"
                    + " restart to resume from the last checkpoint");
        running.set(false);
        return;
      }
      assignedBefore = true;
      for (TopicPartition tp : partitions) {
        Long offset = startOffsets.get(tp);
        if (offset != null) {
          consumer.seek(tp, offset);
          log.info("Partition {} starts at checkpoint offset {}", tp, offset);
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      log.info("Partitions revoked: {}", partitions);
    }
  }
}
