package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.TopicReader;
import dev.vaestream.trainer.drift.DriftSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RetriableException;
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

  /**
   * The checkpoint chosen, where it was read, and the learner restored from it (the caller owns and
   * closes it).
   */
  record Loaded(Checkpoint checkpoint, long offset, long sequence, OnlineLearner learner) {}

  /** Valid checkpoints kept as candidates while reading the topic. */
  private static final int CANDIDATES = 8;

  /** Tries at reading the checkpoint topic at start (with pauses up to 10 s: about 10 minutes). */
  private static final int READ_ATTEMPTS = 60;

  private CheckpointLoader() {}

  /**
   * {@link #latest}, waiting out a cluster that cannot serve the topic yet (a broker fault while
   * the trainer starts: its partition leader down, end offsets timing out) instead of failing, as
   * the clients themselves wait: Kafka's retriable errors are retried with a growing pause, each
   * try on a new consumer from {@code consumers}. Empty when {@code running} turns false (or the
   * thread is interrupted) while waiting.
   *
   * @throws UserException when the topic is still unreadable after {@value #READ_ATTEMPTS} tries
   */
  static Optional<Optional<Loaded>> latestWhenReadable(
      Supplier<Consumer<byte[], byte[]>> consumers,
      String topic,
      CheckpointCodec codec,
      GuardSettings guard,
      DriftSettings drift,
      AtomicBoolean running) {
    for (int attempt = 1; ; attempt++) {
      try (Consumer<byte[], byte[]> consumer = consumers.get()) {
        return Optional.of(latest(consumer, topic, codec, guard, drift, Duration.ofSeconds(30)));
      } catch (RetriableException e) {
        if (attempt >= READ_ATTEMPTS) {
          throw new UserException(
              "cannot read checkpoint topic "
                  + topic
                  + " after "
                  + attempt
                  + " attempts: "
                  + e.getMessage(),
              ExitCodes.FAILURE);
        }
        log.warn(
            "Cannot read the checkpoint topic yet (attempt {} of {}): {}; retrying",
            attempt,
            READ_ATTEMPTS,
            e.toString());
      }
      long pauseMs = Math.min(10_000, 500L << Math.min(attempt - 1, 5));
      for (long waited = 0; waited < pauseMs; waited += 100) {
        if (!running.get()) {
          return Optional.empty();
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  static Optional<Loaded> latest(
      Consumer<byte[], byte[]> consumer,
      String topic,
      CheckpointCodec codec,
      GuardSettings guard,
      DriftSettings drift,
      Duration timeout) {
    Candidates candidates = new Candidates(codec);
    if (!TopicReader.readToEnd(
        consumer, topic, timeout, timeout.multipliedBy(4), candidates::accept)) {
      return Optional.empty();
    }
    consumer.unsubscribe();
    List<Candidate> ordered = candidates.bestFirst();
    for (Candidate candidate : ordered) {
      Checkpoint c = candidate.checkpoint();
      OnlineLearner learner = null;
      try {
        long sequence = sequenceOf(c);
        learner = new OnlineLearner(c.toModel(), guard, drift);
        learner.restore(c.metadata(), c.arrays());
        if (candidate.offset() != candidates.newestOffset) {
          log.warn(
              "The newest checkpoint record (offset {}) is not the one restored: falling back to"
                  + " the newest valid one, step {} at offset {}",
              candidates.newestOffset,
              c.step(),
              candidate.offset());
        }
        return Optional.of(new Loaded(c, candidate.offset(), sequence, learner));
      } catch (RuntimeException e) {
        if (learner != null) {
          learner.close();
        }
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
      log.info("No valid checkpoint among {} records in {}", candidates.records, topic);
    }
    return Optional.empty();
  }

  /** A checkpoint that decoded and verified, and its offset. */
  private record Candidate(Checkpoint checkpoint, long offset) {}

  /**
   * The best few valid checkpoints by step, not all: before compaction the topic holds many 5 MB
   * checkpoints.
   */
  private static final class Candidates {
    private static final Comparator<Candidate> BY_STEP =
        Comparator.comparingLong((Candidate c) -> c.checkpoint().step())
            .thenComparingLong(Candidate::offset);

    private final CheckpointCodec codec;
    private final PriorityQueue<Candidate> best = new PriorityQueue<>(BY_STEP);
    private long newestOffset = -1;
    private long records;

    Candidates(CheckpointCodec codec) {
      this.codec = codec;
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
      records++;
      newestOffset = Math.max(newestOffset, r.offset());
      String source = r.topic() + "-" + r.partition() + "@" + r.offset();
      try {
        best.add(new Candidate(codec.decode(r.value(), source), r.offset()));
        if (best.size() > CANDIDATES) {
          best.poll();
        }
      } catch (CheckpointFormatException e) {
        log.warn("Skipping invalid checkpoint record: {}", e.getMessage());
      }
    }

    /** Highest step first; among equal steps the later record. */
    List<Candidate> bestFirst() {
      List<Candidate> ordered = new ArrayList<>(best);
      ordered.sort(BY_STEP.reversed());
      return ordered;
    }
  }

  private static long sequenceOf(Checkpoint c) {
    String s = c.metadata().get(TrainingLoop.META_SEQUENCE);
    return s == null ? 0 : Long.parseLong(s);
  }
}
