package dev.vaestream.scorer;

import dev.vaestream.core.cli.Causes;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.kafka.Fencing;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.record.DeadLetters;
import dev.vaestream.core.record.InvalidRecordException;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring thread: consume images in the group, score each poll's records in one forward pass,
 * and write the scores, dead letters and consumed offsets in one Kafka transaction.
 *
 * <p>Exactly once: the transactional producer's {@code sendOffsetsToTransaction} with the
 * consumer's group metadata (EOS v2) commits the outputs and the input position atomically, and
 * downstream reads {@code read_committed}. Just before it commits, a transaction also gets the
 * partial statistics of its scores, one record per statistics window ({@link OpenTransaction}), so
 * the statistics count each committed score once (unless its partial reaches the statistics stream
 * after its window has closed: {@code --stats-grace}). A transaction is committed after every poll
 * that returned less than a full batch (the loop has caught up, so latency wins) and otherwise at
 * least every {@code commitInterval} (throughput wins under a backlog).
 *
 * <p>Failures: on a rebalance the open transaction is committed in {@code onPartitionsRevoked} (the
 * partitions are still ours then) or aborted in {@code onPartitionsLost}. Any other Kafka error
 * inside a transaction aborts it and seeks every partition back to the first offset the transaction
 * had consumed, so the aborted records are scored again. Errors that no retry can fix (fenced by a
 * newer instance with the same transactional id, authorization, an unusable producer) end the loop
 * with a non-zero exit code; a restart then resumes from the committed offsets.
 *
 * <p>Pipelined: the forward pass runs on the {@link ForwardWorker}'s thread. Each poll's batch is
 * decoded and scaled here, handed to the forward pass, and written out (dead letters, scores, its
 * consumed range) only after the next poll's batch has been handed over, so polling, decoding,
 * encoding and sending overlap the forward pass. A batch is part of the transaction only once it is
 * written out: a commit under a backlog covers the batches written so far (the one still in the
 * forward pass goes into the next transaction), and an abort also rewinds past the batches not yet
 * written. When the loop has caught up, or stops, or partitions are revoked, every batch is written
 * out before the commit. {@code --no-pipeline} runs the forward pass inline, in the same order.
 *
 * <p>Before the first model is loaded the loop does not even subscribe: nothing is consumed, scored
 * or committed, and the partitions stay with instances that can score them.
 */
final class ScoringLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ScoringLoop.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final int COMMIT_TIMEOUT_RETRIES = 3;
  private static final long RETRY_BACKOFF_MS = 100;
  private static final long PROGRESS_LOG_NANOS = Duration.ofSeconds(30).toNanos();

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final ScorerSettings settings;
  private final AtomicReference<LoadedModel> model;
  private final ModelFollower follower;
  private final ScorerMetrics metrics;
  private final ScorerHealth health;
  private final AnomalyGallery gallery;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final long commitIntervalNanos;

  private final OpenTransaction transaction;
  private final ForwardWorker forward;
  // Batches polled but not yet written to the transaction, oldest first: at most two between
  // polls' work (one in the forward pass, one being prepared).
  private final ArrayDeque<PolledBatch> pending = new ArrayDeque<>();
  // Scaled pixels, two buffers used in turn (a batch's stay untouched until it is written out; the
  // gallery copies what it keeps).
  private final float[][] pixelBuffers = {new float[0], new float[0]};
  private int nextBuffer;
  private volatile int exitCode = ExitCodes.OK;
  private long progressNanos = System.nanoTime();
  private long progressImages;

  ScoringLoop(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      ScorerSettings settings,
      AtomicReference<LoadedModel> model,
      ModelFollower follower,
      ScorerMetrics metrics,
      ScorerHealth health,
      AnomalyGallery gallery) {
    this.forward = settings.pipelined() ? ForwardWorker.pipelined() : ForwardWorker.inline();
    this.consumer = consumer;
    this.producer = producer;
    this.settings = settings;
    this.model = model;
    this.follower = follower;
    this.metrics = metrics;
    this.health = health;
    this.gallery = gallery;
    this.commitIntervalNanos = settings.commitInterval().toNanos();
    this.transaction = new OpenTransaction(settings.partials().window());
  }

  /** Asks the loop to stop after the current batch; safe from any thread. */
  void stop() {
    running.set(false);
    consumer.wakeup();
  }

  /** {@link ExitCodes#OK} after a requested stop, otherwise why the loop ended. */
  int exitCode() {
    return exitCode;
  }

  @Override
  public void run() {
    try {
      producer.initTransactions();
      if (!awaitFirstModel()) {
        return;
      }
      consumer.subscribe(List.of(settings.inputTopic()), new Rebalance());
      health.state(ScorerHealth.State.CONSUMING);
      log.info(
          "Scoring {} into {} as {} (group {}, batches of up to {}, commits at least every {} ms,"
              + " forward pass {})",
          settings.inputTopic(),
          settings.scoresTopic(),
          settings.transactionalId(),
          settings.groupId(),
          settings.maxBatch(),
          settings.commitInterval().toMillis(),
          forward.isPipelined() ? "on its own thread" : "inline");
      while (running.get()) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          if (!records.isEmpty()) {
            prepare(records);
            // This batch is in the forward pass: write out the earlier ones meanwhile.
            while (pending.size() > 1) {
              writeOut(pending.peekFirst());
            }
          }
          boolean caughtUp = records.count() < settings.maxBatch();
          if (caughtUp) {
            writeOutAll();
          }
          if (transaction.isOpen()
              && (caughtUp || transaction.ageNanos(System.nanoTime()) >= commitIntervalNanos)) {
            commit();
          }
          logProgress();
        } catch (WakeupException e) {
          // stop() was called: leave the loop and finish the open transaction below.
          break;
        } catch (KafkaException e) {
          if (isFatal(e)) {
            throw e;
          }
          log.warn("Transaction failed, aborting and re-scoring its records: {}", describe(e));
          abortAndRewind();
          // A persistent error (e.g. the broker is away) must not become a hot loop.
          pause(RETRY_BACKOFF_MS);
        }
      }
      finishOpenTransaction();
    } catch (KafkaException e) {
      exitCode = Fencing.isFencing(e) ? ExitCodes.FENCED : ExitCodes.FAILURE;
      health.failed(describe(e));
      log.error(
          "Scoring stopped: {} (exit code {}); a restart resumes from the committed offsets",
          describe(e),
          exitCode);
    } catch (RuntimeException e) {
      exitCode = ExitCodes.FAILURE;
      health.failed(e.toString());
      log.error("Scoring stopped by an unexpected error", e);
    } finally {
      close();
    }
  }

  /** Waits without consuming until a model is loaded; false if stopped first. */
  private boolean awaitFirstModel() {
    if (model.get() == null) {
      health.state(ScorerHealth.State.WAITING_FOR_MODEL);
      log.info("Waiting for the first valid checkpoint on {}", settings.checkpointTopic());
    }
    try {
      while (running.get()) {
        if (follower.awaitModel(Duration.ofMillis(100))) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /**
   * Decodes and scales one poll's records into a new pending batch and starts its forward pass.
   * Nothing is sent: a failure before the batch is written out only has to rewind to it.
   */
  private void prepare(ConsumerRecords<byte[], byte[]> records) {
    PolledBatch batch = PolledBatch.decode(records);
    pending.addLast(batch);
    if (batch.inputs.isEmpty()) {
      return;
    }
    // One read of the reference per batch: the whole batch is scored by one model.
    batch.model = model.get();
    int needed = batch.inputs.size() * MnistDataset.PIXELS;
    if (pixelBuffers[nextBuffer].length < needed) {
      pixelBuffers[nextBuffer] =
          new float[Math.max(settings.maxBatch(), batch.inputs.size()) * MnistDataset.PIXELS];
    }
    batch.pixels = BatchScorer.scale(batch.inputs, pixelBuffers[nextBuffer]);
    nextBuffer = 1 - nextBuffer;
    batch.score(forward);
  }

  /** Writes out every pending batch, oldest first. */
  private void writeOutAll() {
    while (!pending.isEmpty()) {
      writeOut(pending.peekFirst());
    }
  }

  /**
   * Writes the oldest pending batch into the transaction (beginning one if none is open): its dead
   * letters, its scores once its forward pass is done, and its consumed range.
   */
  private void writeOut(PolledBatch batch) {
    BatchScores forwardPass = batch.awaitScores();
    if (!transaction.isOpen()) {
      producer.beginTransaction();
      transaction.begin(System.nanoTime());
    }
    batch.consumed.forEach((tp, range) -> transaction.consumed(tp, range.first(), range.last()));
    for (PolledBatch.Rejected r : batch.rejected) {
      deadLetter(r.record(), r.reason());
    }
    if (!batch.inputs.isEmpty()) {
      BatchScorer.Result result =
          BatchScorer.records(
              batch.model, batch.inputs, forwardPass, batch.pixels, System.currentTimeMillis());
      send(batch.inputs, result);
      gallery.offer(result);
    }
    pending.removeFirst();
  }

  private void send(List<BatchScorer.Input> inputs, BatchScorer.Result result) {
    List<ScoreRecord> scores = result.records();
    int flagged = 0;
    int flaggedAdapting = 0;
    for (int i = 0; i < scores.size(); i++) {
      ScoreRecord s = scores.get(i);
      producer.send(
          new ProducerRecord<>(
              settings.scoresTopic(),
              null,
              s.scoredAt(),
              inputs.get(i).key(),
              ScoreRecordCodec.encode(s)));
      metrics.scored(s.score(), s.latencyMs());
      transaction.observe(s);
      if (s.anomaly()) {
        flagged++;
        if (s.adapting()) {
          flaggedAdapting++;
        }
      }
    }
    transaction.scored(scores.size(), flagged, flaggedAdapting);
    metrics.batch(scores.size());
  }

  /** Forgets the batches not yet written out, once their forward passes no longer run. */
  private void discardPending() {
    for (PolledBatch batch : pending) {
      batch.awaitQuietly();
    }
    pending.clear();
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, InvalidRecordException e) {
    producer.send(DeadLetters.of(r, e, ScorerSettings.SERVICE, settings.dlqTopic()));
    transaction.deadLettered(e.reason().code());
    log.debug(
        "Dead-lettered {}-{}@{} ({}): {}",
        r.topic(),
        r.partition(),
        r.offset(),
        e.reason().code(),
        e.getMessage());
  }

  private void commit() {
    long startNanos = System.nanoTime();
    for (ProducerRecord<byte[], byte[]> partial :
        transaction.partialStatistics(settings.statsPartialsTopic())) {
      producer.send(partial);
    }
    producer.sendOffsetsToTransaction(transaction.offsetsToCommit(), consumer.groupMetadata());
    for (int attempt = 1; ; attempt++) {
      try {
        producer.commitTransaction();
        break;
      } catch (TimeoutException e) {
        // The outcome is unknown: the only safe moves are to retry the commit or to exit.
        if (attempt >= COMMIT_TIMEOUT_RETRIES) {
          throw new KafkaException(
              "commit timed out " + attempt + " times; exiting so a restart resolves it", e);
        }
        log.warn("Commit timed out (attempt {}), retrying: {}", attempt, e.getMessage());
      }
    }
    metrics.committed(
        transaction.images(),
        transaction.anomalies(),
        transaction.deadLetters(),
        System.nanoTime() - startNanos);
    metrics.committedAdapting(transaction.anomaliesAdapting());
    transaction.clear();
  }

  private void abortAndRewind() {
    if (!transaction.isOpen() && pending.isEmpty()) {
      return;
    }
    // The first offset consumed per partition: the transaction's, then the batches not yet in it.
    Map<TopicPartition, Long> rewind = new HashMap<>(transaction.firstOffsets());
    for (PolledBatch batch : pending) {
      batch.consumed.forEach((tp, range) -> rewind.merge(tp, range.first(), Math::min));
    }
    int unwritten = pending.size();
    if (transaction.isOpen()) {
      producer.abortTransaction();
      metrics.aborted();
    }
    // Only now: should the abort fail, a second attempt still rewinds past these batches.
    discardPending();
    Set<TopicPartition> assigned = consumer.assignment();
    rewind.forEach(
        (tp, first) -> {
          if (assigned.contains(tp)) {
            consumer.seek(tp, first);
          }
        });
    log.info(
        "Aborted a transaction of {} record(s) and {} batch(es) not yet in it; rewound {}",
        transaction.images(),
        unwritten,
        rewind);
    transaction.clear();
  }

  private void finishOpenTransaction() {
    if (!transaction.isOpen() && pending.isEmpty()) {
      return;
    }
    try {
      writeOutAll();
      commit();
    } catch (KafkaException e) {
      if (isFatal(e)) {
        throw e;
      }
      log.warn("Final commit failed, aborting; the records will be scored again: {}", describe(e));
      discardPending();
      if (transaction.isOpen()) {
        producer.abortTransaction();
      }
      transaction.clear();
    }
  }

  private void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  private void logProgress() {
    long now = System.nanoTime();
    if (now - progressNanos < PROGRESS_LOG_NANOS) {
      return;
    }
    long scored = metrics.imagesScored();
    double rate = (scored - progressImages) / ((now - progressNanos) / 1e9);
    LoadedModel m = model.get();
    log.info(
        "Scored {} image(s) so far ({} images/s), model step {}, {} partition(s)",
        scored,
        String.format("%.0f", rate),
        m == null ? "none" : m.step(),
        consumer.assignment().size());
    progressNanos = now;
    progressImages = scored;
  }

  private void close() {
    health.state(ScorerHealth.State.STOPPING);
    // Whatever is still open failed to commit; the coordinator aborts it (or the next incarnation's
    // initTransactions does), so the rebalance callbacks run by close() must not touch it.
    transaction.clear();
    pending.clear();
    forward.close();
    try {
      // Leave the group at once so the other instances take over now, not after the session
      // timeout (the member is static, which otherwise keeps its partitions until then).
      consumer.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(CLOSE_TIMEOUT));
    } catch (KafkaException e) {
      log.warn("Input consumer did not close cleanly: {}", e.toString());
    }
    try {
      producer.close(CLOSE_TIMEOUT);
    } catch (KafkaException e) {
      log.warn("Score producer did not close cleanly: {}", e.toString());
    }
    health.state(exitCode == ExitCodes.OK ? ScorerHealth.State.STOPPED : ScorerHealth.State.FAILED);
  }

  /** Errors that no abort-and-retry can fix: the process must exit. */
  static boolean isFatal(Throwable e) {
    return Fencing.isFencing(e)
        || Causes.any(
            e,
            t ->
                t instanceof OutOfOrderSequenceException
                    || t instanceof UnsupportedVersionException
                    || t instanceof AuthorizationException
                    || t instanceof AuthenticationException);
  }

  private static String describe(Throwable e) {
    Throwable root = Causes.root(e);
    return root == e ? e.toString() : e + " (cause: " + root + ")";
  }

  /** Commits on revocation (the partitions are still ours), aborts when they were lost. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (transaction.isOpen() || !pending.isEmpty()) {
        log.info("Partitions {} revoked: committing the open transaction first", partitions);
        try {
          writeOutAll();
          commit();
        } catch (KafkaException e) {
          if (isFatal(e)) {
            throw e;
          }
          log.warn("Commit on revocation failed, aborting: {}", describe(e));
          abortAndRewind();
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      discardPending();
      if (transaction.isOpen()) {
        log.warn("Partitions {} lost: aborting the open transaction", partitions);
        producer.abortTransaction();
        metrics.aborted();
        transaction.clear();
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      int n = consumer.assignment().size();
      health.assignedPartitions(n);
      log.info("Assigned {} (now {} partition(s))", partitions, n);
    }
  }
}
