package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole checkpoint topic once, at start-up, and returns the newest valid checkpoint
 * (highest step). Invalid records (garbage written by something else, truncated, wrong
 * architecture, bad signature) are skipped and logged; when the newest record is one of them, the
 * log says which valid checkpoint the trainer fell back to.
 */
final class CheckpointLoader {
  private static final Logger log = LoggerFactory.getLogger(CheckpointLoader.class);

  /** A valid checkpoint and where it was read. */
  record Loaded(Checkpoint checkpoint, long offset, long sequence) {}

  private CheckpointLoader() {}

  static Optional<Loaded> latest(
      Consumer<byte[], byte[]> consumer, String topic, CheckpointCodec codec, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      return Optional.empty();
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    Loaded best = null;
    long newestOffset = -1;
    String newestRejection = null;
    long records = 0;
    long deadline = System.nanoTime() + timeout.toNanos() * 4;
    while (!reachedEnd(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out reading checkpoint topic " + topic);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        records++;
        String source = r.topic() + "-" + r.partition() + "@" + r.offset();
        boolean newest = r.offset() > newestOffset;
        if (newest) {
          newestOffset = r.offset();
          newestRejection = null;
        }
        try {
          Checkpoint c = codec.decode(r.value(), source);
          if (best == null || c.step() >= best.checkpoint().step()) {
            best = new Loaded(c, r.offset(), sequenceOf(c));
          }
        } catch (CheckpointFormatException e) {
          log.warn("Skipping invalid checkpoint record: {}", e.getMessage());
          if (newest) {
            newestRejection = e.reason().code();
          }
        }
      }
    }
    consumer.unsubscribe();
    if (best == null) {
      log.info("No valid checkpoint among {} records in {}", records, topic);
      return Optional.empty();
    }
    if (newestRejection != null) {
      log.warn(
          "The newest checkpoint record (offset {}) is invalid ({}); falling back to the newest"
              + " valid one: step {} at offset {}",
          newestOffset,
          newestRejection,
          best.checkpoint().step(),
          best.offset());
    }
    return Optional.of(best);
  }

  private static long sequenceOf(Checkpoint c) {
    String s = c.metadata().get(TrainerService.META_SEQUENCE);
    return s == null ? 0 : Long.parseLong(s);
  }

  private static boolean reachedEnd(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
