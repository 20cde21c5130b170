package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFiles;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Fencing;
import dev.vaestream.core.record.DeadLetters;
import dev.vaestream.trainer.drift.DriftEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes checkpoints: the dead letters since the last one, the checkpoint record and the input
 * offsets, in one Kafka transaction, on a thread of its own (the only user of the transactional
 * producer after start-up). Also writes the {@code --checkpoint-dir} files.
 *
 * <p>Why a thread: the commit mostly waits for the broker (60-70 ms for a 5 MB checkpoint with the
 * trainer at full speed), time the training thread can train in. At most one checkpoint is in
 * flight: {@link #submit} waits for the previous one, and a failed or fenced one is rethrown on the
 * training thread by {@link #checkPublished} or {@link #awaitPublished}.
 */
final class CheckpointPublisher {
  private static final Logger log = LoggerFactory.getLogger(CheckpointPublisher.class);
  private static final int FILES_KEPT = 5;
  private static final int COMMIT_TIMEOUT_RETRIES = 5;
  private static final int TRANSACTION_ATTEMPTS = 8;
  private static final int INIT_ATTEMPTS = 10;
  private static final long RETRY_BACKOFF_MS = 500;

  private final Producer<byte[], byte[]> producer;
  private final CheckpointCodec codec;
  private final TrainerSettings settings;
  private final TrainerMetrics metrics;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "trainer-checkpoint");
            t.setDaemon(true);
            return t;
          });

  private Future<?> inFlight;
  private boolean inTransaction;

  private CheckpointPublisher(
      Producer<byte[], byte[]> producer,
      CheckpointCodec codec,
      TrainerSettings settings,
      TrainerMetrics metrics) {
    this.producer = producer;
    this.codec = codec;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * Takes over {@code producer} and initialises its transactions; fails if fenced. A timeout (the
   * transaction coordinator unreachable through a broker fault, each try bounded by {@code
   * max.block.ms}) is retried, as Kafka allows, up to {@value #INIT_ATTEMPTS} times.
   */
  static CheckpointPublisher start(
      Producer<byte[], byte[]> producer,
      CheckpointCodec codec,
      TrainerSettings settings,
      TrainerMetrics metrics) {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.initTransactions();
        return new CheckpointPublisher(producer, codec, settings, metrics);
      } catch (TimeoutException e) {
        if (attempt >= INIT_ATTEMPTS) {
          producer.close(java.time.Duration.ZERO);
          throw e;
        }
        log.warn(
            "Initialising transactions timed out (attempt {}), retrying: {}",
            attempt,
            e.getMessage());
      } catch (KafkaException e) {
        producer.close(java.time.Duration.ZERO);
        throw Fencing.isFencing(e) ? fenced(e) : e;
      }
    }
  }

  /** Publishes {@code p} on the publisher thread, after the checkpoint in flight is done. */
  void submit(Publication p) throws InterruptedException {
    awaitPublished();
    inFlight = executor.submit(() -> publish(p));
  }

  /** Lets a checkpoint in flight finish (or fail), then closes the producer. */
  void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(java.time.Duration.ofSeconds(10));
  }

  /**
   * What one checkpoint transaction publishes, captured on the training thread; {@code afterCommit}
   * runs on the publisher thread once it has committed.
   */
  record Publication(
      Checkpoint checkpoint,
      long sequence,
      List<InputItem.Invalid> deadLetters,
      Map<TopicPartition, Long> offsets,
      Supplier<ConsumerGroupMetadata> group,
      double threshold,
      Runnable afterCommit,
      long startNanos,
      DriftEvent event) {}

  /**
   * Runs on the publisher thread. A transaction that fails with an abortable error (a send that
   * outlived a broker outage, offsets committed under a group generation that a rejoin replaced) is
   * aborted and the same publication sent again in a new one, a few times with a pause between: the
   * checkpoint is a snapshot, so sending it twice is no different from sending it once, and a
   * broker fault does not cost a restart. Fencing, an unknown commit outcome and errors that would
   * recur (a record too large, a missing ACL) still stop. The group metadata is the input poller's
   * as of its last poll: a generation that moved on while the poller waits for room in a full queue
   * is not seen, and that retry ends in a restart, as before.
   */
  private void publish(Publication p) {
    byte[] bytes = codec.encode(p.checkpoint());
    for (int attempt = 1; ; attempt++) {
      try {
        publishOnce(p, bytes);
        break;
      } catch (RetriableTransaction e) {
        if (attempt >= TRANSACTION_ATTEMPTS) {
          throw new UserException(
              "checkpoint transaction failed "
                  + attempt
                  + " times ("
                  + e.getCause().getMessage()
                  + "); restart to resume from the last committed checkpoint",
              ExitCodes.FAILURE,
              e.getCause());
        }
        metrics.transactionRetried();
        log.warn(
            "Checkpoint transaction aborted (attempt {}), sending it again: {}",
            attempt,
            e.getCause().toString());
        pause(attempt);
      }
    }
    afterCommit(p, bytes);
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(RETRY_BACKOFF_MS * (1L << Math.min(attempt - 1, 4)));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while retrying a checkpoint", ExitCodes.FAILURE, ie);
    }
  }

  private void publishOnce(Publication p, byte[] bytes) {
    Checkpoint c = p.checkpoint();
    try {
      beginIfNeeded();
      for (InputItem.Invalid dead : p.deadLetters()) {
        producer.send(DeadLetters.of(dead.record(), dead.error(), "trainer", settings.dlqTopic()));
      }
      producer.send(CheckpointTopic.record(settings.checkpointTopic(), p.sequence(), c, bytes));
      if (p.event() != null) {
        producer.send(
            new ProducerRecord<>(
                settings.eventsTopic(),
                p.event().key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                p.event().toJson()));
      }
      ConsumerGroupMetadata group = p.group().get();
      if (group != null && !p.offsets().isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        p.offsets().forEach((tp, off) -> commit.put(tp, new OffsetAndMetadata(off)));
        producer.sendOffsetsToTransaction(commit, group);
      }
      commitRetryingTimeouts();
      inTransaction = false;
    } catch (CommitOutcomeUnknown e) {
      // After a commit timed out, an abort is not allowed (the outcome is the broker's): exit, and
      // the restart resumes from whatever the broker decided.
      inTransaction = false;
      throw new UserException(
          "checkpoint commit "
              + e.getMessage()
              + "; restart to resume from the last committed"
              + " checkpoint",
          ExitCodes.FAILURE,
          e.getCause());
    } catch (KafkaException e) {
      if (Fencing.isFencing(e)) {
        throw fenced(e);
      }
      KafkaException abortError = abortQuietly();
      if (abortError != null && Fencing.isFencing(abortError)) {
        // The commit failed because a newer instance bumped the epoch mid-commit (the broker may
        // answer that with a generic error); the abort names the real cause.
        throw fenced(abortError);
      }
      if (abortError != null || !worthRetrying(e)) {
        throw new UserException(
            "checkpoint transaction failed ("
                + e.getMessage()
                + (abortError == null
                    ? ""
                    : ") and could not be aborted (" + abortError.getMessage())
                + "); restart to resume from the last committed checkpoint",
            ExitCodes.FAILURE,
            e);
      }
      throw new RetriableTransaction(e);
    }
  }

  private void afterCommit(Publication p, byte[] bytes) {
    Checkpoint c = p.checkpoint();
    p.deadLetters().forEach(dead -> metrics.dlq(dead.error().reason().code()));
    metrics.checkpointed(bytes.length, System.nanoTime() - p.startNanos());
    if (settings.checkpointDir() != null) {
      writeFile(c.step(), bytes);
    }
    p.afterCommit().run();
    if (p.event() != null) {
      metrics.driftPublished();
      log.warn(
          "Drift {} detected in the {}: mean loss {} -> {}, ink {} -> {}; checkpoint step {}"
              + " published with the event",
          p.event().number(),
          p.event().signal().wireName(),
          String.format("%.1f", p.event().lossBefore()),
          String.format("%.1f", p.event().lossAfter()),
          String.format("%.4f", p.event().inkBefore()),
          String.format("%.4f", p.event().inkAfter()),
          c.step());
    }
    log.info(
        "Checkpoint step {} ({} bytes, threshold {}) committed with offsets {}",
        c.step(),
        bytes.length,
        p.threshold(),
        p.offsets());
  }

  /** Waits for the checkpoint in flight, if any; rethrows its failure. */
  void awaitPublished() throws InterruptedException {
    Future<?> f = inFlight;
    if (f == null) {
      return;
    }
    try {
      f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      inFlight = null;
    }
  }

  /** Rethrows the failure of a checkpoint that is done; does not wait for one in flight. */
  void checkPublished() throws InterruptedException {
    Future<?> f = inFlight;
    if (f != null && f.isDone()) {
      awaitPublished();
    }
  }

  /**
   * Commits, retrying a commit that timed out (with too few in-sync replicas, or the coordinator
   * moving, it can outlast {@code max.block.ms}): after a timeout the outcome is unknown and the
   * only safe moves are to retry the same commit or to exit, as the scorer does.
   */
  private void commitRetryingTimeouts() {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.commitTransaction();
        return;
      } catch (TimeoutException e) {
        if (attempt >= COMMIT_TIMEOUT_RETRIES) {
          throw new CommitOutcomeUnknown("timed out " + attempt + " times", e);
        }
        log.warn("Checkpoint commit timed out (attempt {}), retrying: {}", attempt, e.getMessage());
      }
    }
  }

  /** A transaction that failed and was aborted: it may be sent again. */
  private static final class RetriableTransaction extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RetriableTransaction(KafkaException cause) {
      super(cause);
    }
  }

  /** A commit that timed out too often: neither committed nor abortable from here. */
  private static final class CommitOutcomeUnknown extends KafkaException {
    private static final long serialVersionUID = 1L;

    CommitOutcomeUnknown(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void beginIfNeeded() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
  }

  /**
   * Aborts the open transaction, retrying an abort that timed out (safe, as Kafka documents; during
   * a broker fault it may well time out once); returns the abort's own failure, if any.
   */
  private KafkaException abortQuietly() {
    inTransaction = false;
    for (int attempt = 1; ; attempt++) {
      try {
        producer.abortTransaction();
        return null;
      } catch (TimeoutException e) {
        if (attempt >= COMMIT_TIMEOUT_RETRIES) {
          return e;
        }
        log.warn("Aborting the checkpoint transaction timed out (attempt {}), retrying", attempt);
      } catch (KafkaException e) {
        log.debug("Abort failed", e);
        return e;
      }
    }
  }

  /**
   * Whether a transaction that failed with {@code e} may succeed if sent again: a retriable cause
   * (a broker or coordinator unavailable, not enough replicas, a timeout) or a group generation
   * that moved on; not a record too large or a missing authorisation, which would fail the same
   * way.
   */
  static boolean worthRetrying(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException
          || t instanceof CommitFailedException
          || t instanceof TransactionAbortableException
          || t instanceof IllegalGenerationException
          || t instanceof UnknownMemberIdException
          || t instanceof RebalanceInProgressException) {
        return true;
      }
    }
    return false;
  }

  private void writeFile(long step, byte[] bytes) {
    Path dir = settings.checkpointDir();
    CheckpointFiles.writeBytes(dir.resolve(String.format("ckpt-%012d.bin", step)), bytes);
    CheckpointFiles.writeBytes(dir.resolve("latest"), bytes);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> old =
          files.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted().toList();
      for (int i = 0; i < old.size() - FILES_KEPT; i++) {
        Files.deleteIfExists(old.get(i));
      }
    } catch (IOException e) {
      log.warn("Cannot prune old checkpoint files in {}: {}", dir, e.toString());
    }
  }

  /** The error a fenced trainer stops with. */
  static UserException fenced(Throwable e) {
    return new UserException(
        "fenced: another trainer instance with the same transactional.id or group.instance.id took"
            + " over (or the broker aborted a transaction that outlived transaction.timeout.ms);"
            + " this one stops so the model does not fork",
        ExitCodes.FENCED,
        e);
  }
}
