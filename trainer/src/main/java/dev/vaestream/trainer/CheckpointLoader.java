package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
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
 *
 * <p>Valid means more than a good checksum: without signing, anyone who can write to the topic can
 * write a well-formed record whose contents the trainer cannot restore (an Adam state of the wrong
 * length, guard metadata that is not a number). Each candidate is therefore also restored, model
 * and learner state, before it is chosen; one that fails is skipped like a corrupt one.
 */
final class CheckpointLoader {
  private static final Logger log = LoggerFactory.getLogger(CheckpointLoader.class);

  /** A valid checkpoint and where it was read. */
  record Loaded(Checkpoint checkpoint, long offset, long sequence) {}

  /** Valid checkpoints kept as candidates while reading the topic. */
  private static final int CANDIDATES = 8;

  private CheckpointLoader() {}

  static Optional<Loaded> latest(
      Consumer<byte[], byte[]> consumer,
      String topic,
      CheckpointCodec codec,
      GuardSettings guard,
      Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      return Optional.empty();
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    // The best few by step, not all: before compaction the topic holds many 5 MB checkpoints.
    Comparator<Loaded> byStep =
        Comparator.comparingLong((Loaded l) -> l.checkpoint().step())
            .thenComparingLong(Loaded::offset);
    PriorityQueue<Loaded> candidates = new PriorityQueue<>(byStep);
    long newestOffset = -1;
    long records = 0;
    long deadline = System.nanoTime() + timeout.toNanos() * 4;
    while (!reachedEnd(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out reading checkpoint topic " + topic);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        records++;
        newestOffset = Math.max(newestOffset, r.offset());
        String source = r.topic() + "-" + r.partition() + "@" + r.offset();
        try {
          candidates.add(new Loaded(codec.decode(r.value(), source), r.offset(), -1));
          if (candidates.size() > CANDIDATES) {
            candidates.poll();
          }
        } catch (CheckpointFormatException e) {
          log.warn("Skipping invalid checkpoint record: {}", e.getMessage());
        }
      }
    }
    consumer.unsubscribe();
    // Highest step first; among equal steps the later record.
    List<Loaded> ordered = new ArrayList<>(candidates);
    ordered.sort(byStep.reversed());
    for (Loaded candidate : ordered) {
      Checkpoint c = candidate.checkpoint();
      try {
        long sequence = sequenceOf(c);
        new OnlineLearner(c.toModel(), guard).restore(c.metadata(), c.arrays());
        if (candidate.offset() != newestOffset) {
          log.warn(
              "The newest checkpoint record (offset {}) is not the one restored: falling back to"
                  + " the newest valid one, step {} at offset {}",
              newestOffset,
              c.step(),
              candidate.offset());
        }
        return Optional.of(new Loaded(c, candidate.offset(), sequence));
      } catch (RuntimeException e) {
        log.warn(
            "Skipping checkpoint at offset {} (step {}): it cannot be restored ({})",
            candidate.offset(),
            c.step(),
            e.toString());
      }
    }
    if (!ordered.isEmpty()) {
      log.error(
          "None of the {} newest valid checkpoints in {} can be restored: starting a new model",
          ordered.size(),
          topic);
    } else {
      log.info("No valid checkpoint among {} records in {}", records, topic);
    }
    return Optional.empty();
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
