package dev.vaestream.scorer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.checkpoint.DriftMetadata;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the checkpoint topic on its own thread and swaps each newer valid checkpoint in.
 *
 * <p>Every scorer instance reads every checkpoint: the consumer {@code assign}s all partitions
 * (outside any group), reads committed records only, from the beginning. A candidate is decoded,
 * verified (signature, checksum, architecture), built into a fresh {@link VaeModel} and warmed up
 * with one forward pass here, then published through an {@link AtomicReference}; the scoring thread
 * picks it up at its next batch and never waits for a load. A record that fails is counted by
 * reason and logged, and the model in use stays. Checkpoints at or below the step in use are
 * ignored, and the {@code step} header lets most of them be skipped without decoding.
 */
final class ModelFollower implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ModelFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
  private static final long RETRY_MS = 1000;

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final CheckpointCodec codec;
  private final ThresholdPolicy thresholds;
  private final ScorerMetrics metrics;
  private final ScorerHealth health;
  private final Consumer<Exception> fatal;
  private final AtomicReference<LoadedModel> current;
  private final CountDownLatch firstModel = new CountDownLatch(1);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private boolean assigned;
  private boolean waitingLogged;

  /**
   * @param current where the model in use is published (shared with the scoring loop)
   * @param fatal told about errors no retry can fix (credentials, authorization)
   */
  ModelFollower(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      String topic,
      CheckpointCodec codec,
      ThresholdPolicy thresholds,
      AtomicReference<LoadedModel> current,
      ScorerMetrics metrics,
      ScorerHealth health,
      Consumer<Exception> fatal) {
    this.consumer = consumer;
    this.topic = topic;
    this.codec = codec;
    this.thresholds = thresholds;
    this.current = current;
    this.metrics = metrics;
    this.health = health;
    this.fatal = fatal;
  }

  /** Waits up to {@code timeout} for the first model; true once one is in use. */
  boolean awaitModel(Duration timeout) throws InterruptedException {
    return firstModel.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks the thread to stop; safe from any thread. */
  void stop() {
    running.set(false);
    consumer.wakeup();
  }

  @Override
  public void run() {
    try {
      while (running.get()) {
        try {
          if (!assigned && !assign()) {
            sleep(RETRY_MS);
            continue;
          }
          ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          if (!records.isEmpty()) {
            consider(records);
          }
        } catch (WakeupException e) {
          if (running.get()) {
            log.debug("Checkpoint consumer woken up while running; continuing");
          }
        } catch (AuthenticationException | AuthorizationException e) {
          log.error("Cannot read checkpoints from {}: {}", topic, e.getMessage());
          fatal.accept(e);
          return;
        } catch (KafkaException e) {
          log.warn("Reading checkpoints from {} failed, retrying: {}", topic, e.toString());
          sleep(RETRY_MS);
        }
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      log.debug("Checkpoint follower stopped");
    }
  }

  private boolean assign() {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      if (!waitingLogged) {
        log.info("Waiting for checkpoint topic {} to exist", topic);
        waitingLogged = true;
      }
      return false;
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    assigned = true;
    log.info("Following checkpoints on {} ({} partition(s))", topic, partitions.size());
    return true;
  }

  /** Tries the records of one poll from the highest step down until one loads. */
  private void consider(ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> candidates = new ArrayList<>();
    records.forEach(candidates::add);
    // Highest step first; records without a readable step header are tried last, newest first.
    candidates.sort(
        Comparator.comparingLong((ConsumerRecord<byte[], byte[]> r) -> headerStep(r))
            .thenComparingLong(ConsumerRecord::offset)
            .reversed());
    for (ConsumerRecord<byte[], byte[]> r : candidates) {
      long inUse = stepInUse();
      long step = headerStep(r);
      if (step != Long.MIN_VALUE && step <= inUse) {
        log.debug(
            "Ignoring checkpoint {}-{}@{} at step {} (in use: {})",
            r.topic(),
            r.partition(),
            r.offset(),
            step,
            inUse);
        continue;
      }
      load(r);
    }
  }

  private void load(ConsumerRecord<byte[], byte[]> r) {
    String source = r.topic() + "-" + r.partition() + "@" + r.offset();
    long startNanos = System.nanoTime();
    Checkpoint checkpoint;
    try {
      checkpoint = codec.decode(r.value(), source);
    } catch (CheckpointFormatException e) {
      reject(e.reason().code(), e.getMessage());
      return;
    }
    long inUse = stepInUse();
    if (checkpoint.step() <= inUse) {
      log.debug("Ignoring checkpoint {} at step {} (in use: {})", source, checkpoint.step(), inUse);
      return;
    }
    if (checkpoint.step() == 0) {
      reject(
          ScorerMetrics.REJECT_UNTRAINED,
          "checkpoint " + source + " rejected (untrained): step 0, its scores would be noise");
      return;
    }
    if (!allFinite(checkpoint.parameters())) {
      reject(
          ScorerMetrics.REJECT_NON_FINITE,
          "checkpoint " + source + " rejected (non_finite): parameters contain NaN or infinity");
      return;
    }
    LoadedModel model;
    try {
      // Scoring needs no optimiser state: skip the Adam moments (two thirds of the bytes).
      VaeModel vae =
          VaeModel.restore(
              checkpoint.seed(),
              checkpoint.step(),
              checkpoint.imagesSeen(),
              checkpoint.parameters(),
              null);
      // Warm up here, so the scoring thread's first batch with this model is not the slow one.
      vae.score(new float[VaeArchitecture.INPUT], 1);
      BatchScorer.releaseThreadScratch();
      model =
          new LoadedModel(
              vae,
              checkpoint.step(),
              checkpoint.createdAtMs(),
              thresholds.resolve(checkpoint.calibration()),
              source,
              System.currentTimeMillis(),
              DriftMetadata.read(checkpoint.metadata()));
    } catch (RuntimeException e) {
      reject(
          ScorerMetrics.REJECT_BUILD_FAILED,
          "checkpoint " + source + " rejected (build_failed): " + e);
      return;
    }
    LoadedModel previous = current.getAndSet(model);
    metrics.swapped();
    firstModel.countDown();
    if (model.threshold().value().isEmpty()) {
      log.warn(
          "Model step {} has no anomaly threshold ({}): scores are emitted with threshold null"
              + " and nothing is flagged; set --threshold to flag anyway",
          model.step(),
          model.threshold().source());
    }
    log.info(
        "Swapped in model step {} from {} (was {}), threshold {} ({}), drift {}, built in {} ms",
        model.step(),
        source,
        previous == null ? "none" : "step " + previous.step(),
        model.threshold().value().isPresent() ? model.threshold().value().getAsDouble() : "none",
        model.threshold().source(),
        model.drift() == null
            ? "unknown"
            : model.drift().events()
                + " events, "
                + model.drift().imagesSince()
                + " images since"
                + (model.drift().adapting() ? " (adapting)" : ""),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  private void reject(String reason, String message) {
    metrics.rejected(reason);
    health.rejected(message);
    LoadedModel inUse = current.get();
    log.warn(
        "{}; keeping {}",
        message,
        inUse == null ? "no model (still waiting)" : "model step " + inUse.step());
  }

  private long stepInUse() {
    LoadedModel m = current.get();
    return m == null ? -1 : m.step();
  }

  /** The {@code step} header, or {@link Long#MIN_VALUE} when missing or unreadable. */
  private static long headerStep(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader(CheckpointTopic.H_STEP);
    if (h == null || h.value() == null) {
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim());
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }
}
