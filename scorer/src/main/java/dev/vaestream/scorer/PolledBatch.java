package dev.vaestream.scorer;

import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * What one poll returned, decoded and on its way through the forward pass, but not yet written to
 * the transaction: the images to score with the model read for them, the records that failed to
 * decode (dead letters to be), and the input range consumed per partition. Until {@link
 * ScoringLoop} writes it out, nothing of it is in Kafka, so an abort only has to rewind the
 * consumer to its first offsets.
 */
final class PolledBatch {
  /** The first and last offset consumed from one partition. */
  record Range(long first, long last) {}

  /** A record that failed to decode and why. */
  record Rejected(ConsumerRecord<byte[], byte[]> record, InvalidRecordException reason) {}

  final List<BatchScorer.Input> inputs;
  final List<Rejected> rejected = new ArrayList<>();
  final Map<TopicPartition, Range> consumed = new LinkedHashMap<>();
  LoadedModel model;
  float[] pixels;
  private Future<BatchScores> scores;

  private PolledBatch(int capacity) {
    this.inputs = new ArrayList<>(capacity);
  }

  /**
   * Decodes what one poll returned: the valid images in order, the records that failed to decode
   * with their reasons, and the first and last offset per partition.
   */
  static PolledBatch decode(ConsumerRecords<byte[], byte[]> records) {
    PolledBatch batch = new PolledBatch(records.count());
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      batch.consumed.put(tp, new Range(list.get(0).offset(), list.get(list.size() - 1).offset()));
      for (ConsumerRecord<byte[], byte[]> r : list) {
        try {
          batch.inputs.add(
              new BatchScorer.Input(
                  r.key(), ImageRecordCodec.decode(r), r.partition(), r.offset()));
        } catch (InvalidRecordException e) {
          batch.rejected.add(new Rejected(r, e));
        }
      }
    }
    return batch;
  }

  /** Starts the forward pass of the scaled {@link #pixels} with {@link #model}. */
  void score(ForwardWorker worker) {
    scores = worker.submit(model, pixels, inputs.size());
  }

  /** The forward pass's result, waiting for it if needed; null when there are no images. */
  BatchScores awaitScores() {
    if (scores == null) {
      return null;
    }
    try {
      return scores.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a forward pass", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("forward pass failed", cause);
    }
  }

  /**
   * Waits until the forward pass, if any, no longer reads {@link #pixels}, ignoring its outcome (a
   * batch being discarded).
   */
  void awaitQuietly() {
    if (scores == null) {
      return;
    }
    try {
      scores.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      // Discarded: its outcome no longer matters.
    }
  }
}
