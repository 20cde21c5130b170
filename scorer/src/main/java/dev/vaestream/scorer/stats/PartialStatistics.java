package dev.vaestream.scorer.stats;

import dev.vaestream.core.record.ScoreRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The scorer's half of the statistics: the scores of one open transaction, summed per statistics
 * window into {@link WindowStats}, and written with that transaction as one small record per window
 * (key {@value #KEY}, timestamp the window's latest {@code scored_at}, value in {@link
 * WindowStats#SERDE}'s format) for {@link StatsTopology} to merge.
 *
 * <p>Why here and not in the statistics stream: the scorer has every score's fields in hand, while
 * the stream had to consume every score record back and parse its JSON, one Kafka Streams record
 * and one state store write per score. On two cores that stream and the extra reads took a fifth of
 * the scorer's throughput; partials cost the scorer a histogram increment per score and the stream
 * one record per transaction. Exactly once comes with the transaction: an aborted transaction's
 * partials are aborted with its scores. Not thread-safe: the scoring thread's.
 */
public final class PartialStatistics {
  /** The key of every partial: one key, so one task merges them all. */
  public static final String KEY = "all";

  private static final byte[] KEY_BYTES = KEY.getBytes(StandardCharsets.UTF_8);

  private final long windowMs;
  private final TreeMap<Long, Window> windows = new TreeMap<>();

  private static final class Window {
    final WindowStats stats = new WindowStats();
    long latestScoredAt = Long.MIN_VALUE;
  }

  /** Partials cut by statistics windows of {@code window}, aligned to the epoch. */
  public PartialStatistics(Duration window) {
    this.windowMs = window.toMillis();
    if (windowMs < 1) {
      throw new IllegalArgumentException("statistics window must be positive, got " + window);
    }
  }

  /** Counts one score record into its window (by {@code scored_at}). */
  public void add(ScoreRecord s) {
    long t = s.scoredAt();
    Window w = windows.computeIfAbsent(t - Math.floorMod(t, windowMs), start -> new Window());
    w.stats.add(ScoreObservation.of(s));
    w.latestScoredAt = Math.max(w.latestScoredAt, t);
  }

  /** One record per window counted since the last {@link #clear}, oldest window first. */
  public List<ProducerRecord<byte[], byte[]>> records(String topic) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(windows.size());
    for (Map.Entry<Long, Window> e : windows.entrySet()) {
      Window w = e.getValue();
      out.add(
          new ProducerRecord<>(
              topic,
              null,
              w.latestScoredAt,
              KEY_BYTES,
              WindowStats.SERDE.serializer().serialize(topic, w.stats)));
    }
    return out;
  }

  /** Forgets everything counted: the transaction committed or aborted. */
  public void clear() {
    windows.clear();
  }
}
