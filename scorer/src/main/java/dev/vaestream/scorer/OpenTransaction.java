package dev.vaestream.scorer;

import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.scorer.stats.PartialStatistics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the scorer's open Kafka transaction covers: the input range it consumed per partition (the
 * first offset, to rewind to on abort, and the next one, to commit), and the scores, anomalies and
 * dead letters it holds, counted into the metrics only once it commits, and the partial statistics
 * of its scores, written with it. Touched by the scoring thread alone (rebalance callbacks run
 * inside its poll).
 */
final class OpenTransaction {
  private final PartialStatistics partials;
  private boolean open;
  private long startNanos;
  private final Map<TopicPartition, Long> firstOffsets = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
  private long images;
  private long anomalies;
  private long anomaliesAdapting;
  private final Map<String, Long> deadLetters = new TreeMap<>();

  /** A transaction whose partial statistics are cut by windows of {@code statsWindow}. */
  OpenTransaction(Duration statsWindow) {
    this.partials = new PartialStatistics(statsWindow);
  }

  boolean isOpen() {
    return open;
  }

  /** Marks the transaction begun at {@code nowNanos}. */
  void begin(long nowNanos) {
    open = true;
    startNanos = nowNanos;
  }

  /** Nanoseconds since it began. */
  long ageNanos(long nowNanos) {
    return nowNanos - startNanos;
  }

  /** Records that {@code tp} was consumed from {@code first} up to {@code last} inclusive. */
  void consumed(TopicPartition tp, long first, long last) {
    firstOffsets.putIfAbsent(tp, first);
    nextOffsets.put(tp, last + 1);
  }

  void scored(int count, int flagged) {
    scored(count, flagged, 0);
  }

  /**
   * {@code count} scores, {@code flagged} of them flagged, {@code adapting} of those by a model
   * that was adapting to a detected change.
   */
  void scored(int count, int flagged, int adapting) {
    images += count;
    anomalies += flagged;
    anomaliesAdapting += adapting;
  }

  /** Counts a score it holds into its partial statistics. */
  void observe(ScoreRecord score) {
    partials.add(score);
  }

  /** The partial statistics of its scores, one record per window, to write before it commits. */
  List<ProducerRecord<byte[], byte[]>> partialStatistics(String topic) {
    return partials.records(topic);
  }

  void deadLettered(String reason) {
    deadLetters.merge(reason, 1L, Long::sum);
  }

  /** The consumer offsets to commit with it: the next offset of every partition it consumed. */
  Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    nextOffsets.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
    return offsets;
  }

  /** Where each partition it consumed must be rewound to when it is aborted. */
  Map<TopicPartition, Long> firstOffsets() {
    return firstOffsets;
  }

  long images() {
    return images;
  }

  long anomalies() {
    return anomalies;
  }

  /** Of {@link #anomalies()}, those flagged by a model adapting to a detected change. */
  long anomaliesAdapting() {
    return anomaliesAdapting;
  }

  Map<String, Long> deadLetters() {
    return deadLetters;
  }

  /** Forgets everything: committed, aborted, or abandoned. */
  void clear() {
    open = false;
    firstOffsets.clear();
    nextOffsets.clear();
    images = 0;
    anomalies = 0;
    anomaliesAdapting = 0;
    deadLetters.clear();
    partials.clear();
  }
}
