package dev.vaestream.producer;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.Progress;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.kafka.Fencing;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's run loop: takes images from an {@link ImageSource}, paces them with a {@link
 * RatePacer} and sends them with an idempotent Kafka producer until the source ends, a stop is
 * requested (the shared {@code running} flag turns false) or a fatal error occurs. Then it flushes,
 * so every image sent is acknowledged or counted as an error, and closes the producer.
 *
 * <p>A send that fails after the client's own retries is logged and counted, and the run goes on: a
 * streaming source should survive a broker outage. Errors that no retry can fix (authentication,
 * authorization, fencing) end the run with a {@link UserException}.
 */
public final class ProducerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProducerLoop.class);

  /** Send errors logged one by one; after that only every {@value #ERROR_LOG_EVERY}th. */
  private static final long LOGGED_ERRORS = 10;

  private static final long ERROR_LOG_EVERY = 1000;

  private final String topic;
  private final Producer<byte[], byte[]> producer;
  private final ImageSource source;
  private final RatePacer pacer;
  private final ProducerHealth health;
  private final AtomicBoolean running;
  private final Duration closeTimeout;
  private final ProducerMetrics metrics;
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<UserException> fatal = new AtomicReference<>();
  private final Callback digitCallback;
  private final Map<AnomalyKind, Callback> anomalyCallbacks = new EnumMap<>(AnomalyKind.class);
  private boolean closed;

  /**
   * Takes ownership of {@code producer}: the service closes it.
   *
   * @param serviceMetrics where this service's meters and the client's are bound; it closes them
   * @param running cleared by whoever wants the loop to stop (the shutdown hook)
   * @param closeTimeout how long closing may wait for in-flight sends
   */
  public ProducerLoop(
      String topic,
      Producer<byte[], byte[]> producer,
      ImageSource source,
      RatePacer pacer,
      ServiceMetrics serviceMetrics,
      ProducerHealth health,
      AtomicBoolean running,
      Duration closeTimeout) {
    this.topic = topic;
    this.producer = producer;
    this.source = source;
    this.pacer = pacer;
    this.health = health;
    this.running = running;
    this.closeTimeout = closeTimeout;
    StreamPlan plan = source.plan();
    this.metrics =
        serviceMetrics.bind(
            new ProducerMetrics(plan.anomalyRate() > 0 ? plan.anomalyKinds() : Set.of()));
    serviceMetrics.bind(new KafkaClientMetrics(producer));
    // One callback per anomaly kind, made once: no allocation per record on the hot path.
    this.digitCallback = callbackFor(null);
    for (AnomalyKind kind : AnomalyKind.values()) {
      anomalyCallbacks.put(kind, callbackFor(kind));
    }
  }

  /**
   * Runs the loop in the calling thread until the source ends or a stop is requested, then flushes
   * and closes the producer.
   *
   * @throws UserException on a fatal error (after flushing and closing)
   */
  public RunResult run() {
    long startNanos;
    long endNanos;
    try {
      awaitMetadata();
      startNanos = System.nanoTime();
      ProgressLine line = new ProgressLine(startNanos);
      try (Progress progress = Progress.forConsole()) {
        while (running.get() && fatal.get() == null && source.hasNext()) {
          pacer.acquire(running::get);
          if (!running.get()) {
            break;
          }
          send(source.next());
          progress.update(line::status);
        }
        // Waits until every record sent is acknowledged or failed, so the counts are final.
        producer.flush();
        endNanos = System.nanoTime();
      }
    } finally {
      close();
    }
    double seconds = (endNanos - startNanos) / 1e9;
    RunResult result = new RunResult(acknowledged.sum(), errors.sum(), seconds);
    UserException error = fatal.get();
    if (error != null) {
      health.ended(ProducerHealth.State.FAILED);
      throw error;
    }
    boolean stopped = !running.get() && source.hasNext();
    health.ended(stopped ? ProducerHealth.State.STOPPED : ProducerHealth.State.FINISHED);
    log.info(
        "{}: sent {} image(s) to {} in {} s ({} images/s), {} error(s)",
        stopped ? "Stopped" : "Finished",
        result.sent(),
        topic,
        String.format("%.1f", result.seconds()),
        String.format("%.0f", result.imagesPerSecond()),
        result.errors());
    return result;
  }

  /** Asks the loop to stop; it then flushes and closes. Safe from any thread. */
  public void stop() {
    running.set(false);
  }

  /** Images acknowledged so far. */
  public long acknowledged() {
    return acknowledged.sum();
  }

  /** Images failed for good so far. */
  public long errors() {
    return errors.sum();
  }

  /** Closes the producer; idempotent. The meters stay until {@code serviceMetrics} closes. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      producer.close(closeTimeout);
    } catch (KafkaException e) {
      log.warn("Kafka producer did not close cleanly: {}", e.toString());
    }
  }

  /** Fetches the topic's metadata once, so that the first sends do not wait and health is up. */
  private void awaitMetadata() {
    try {
      int partitions = producer.partitionsFor(topic).size();
      log.debug("Producer has metadata for {} ({} partitions)", topic, partitions);
      health.connected();
    } catch (KafkaException e) {
      health.ended(ProducerHealth.State.FAILED);
      UserException error = fatalError(e);
      throw error != null
          ? error
          : new UserException(
              "cannot get metadata for topic " + topic + ": " + e.getMessage(),
              ExitCodes.FAILURE,
              e);
    }
  }

  private void send(ImageRecord image) {
    Callback callback =
        image.anomaly() == null ? digitCallback : anomalyCallbacks.get(image.anomaly());
    try {
      producer.send(ImageRecordCodec.toProducerRecord(topic, image), callback);
    } catch (KafkaException e) {
      // The client reports recoverable errors through the callback; a throw means it is unusable.
      UserException error = fatalError(e);
      fail(
          error != null
              ? error
              : new UserException(
                  "cannot send to topic " + topic + ": " + e.getMessage(), ExitCodes.FAILURE, e));
    }
  }

  private Callback callbackFor(AnomalyKind anomaly) {
    return (metadata, exception) -> {
      if (exception == null) {
        acknowledged.increment();
        metrics.acknowledged(
            (long) Math.max(0, metadata.serializedKeySize())
                + Math.max(0, metadata.serializedValueSize()),
            anomaly);
        health.acknowledged();
      } else {
        onSendError(exception);
      }
    };
  }

  private void onSendError(Exception exception) {
    errors.increment();
    metrics.failed();
    health.failed(exception);
    UserException error = fatalError(exception);
    if (error != null) {
      fail(error);
      return;
    }
    long count = errors.sum();
    if (count <= LOGGED_ERRORS) {
      log.warn(
          "Send to {} failed after retries ({} so far): {}", topic, count, exception.toString());
      if (count == LOGGED_ERRORS) {
        log.warn("Further send errors are counted; only every {}th is logged", ERROR_LOG_EVERY);
      }
    } else if (count % ERROR_LOG_EVERY == 0) {
      log.warn("{} sends to {} failed so far; latest: {}", count, topic, exception.toString());
    }
  }

  private void fail(UserException error) {
    if (fatal.compareAndSet(null, error)) {
      log.error("Stopping: {}", error.getMessage());
    }
  }

  /** The fatal error {@code e} stands for, or null if it only loses the one record. */
  private UserException fatalError(Exception e) {
    if (e instanceof AuthenticationException) {
      return new UserException(
          "authentication with Kafka failed: " + e.getMessage(), ExitCodes.USAGE, e);
    }
    if (e instanceof AuthorizationException) {
      return new UserException(
          "not authorized to write to topic " + topic + ": " + e.getMessage(), ExitCodes.USAGE, e);
    }
    if (Fencing.isFencing(e)) {
      return new UserException(
          "fenced by another producer: " + e.getMessage(), ExitCodes.FENCED, e);
    }
    if (e instanceof OutOfOrderSequenceException
        || e instanceof UnsupportedVersionException
        || e instanceof InvalidTopicException) {
      return new UserException(
          "cannot produce to topic " + topic + ": " + e.getMessage(), ExitCodes.FAILURE, e);
    }
    return null;
  }

  /** The progress text: counts, rate over the last interval, and an ETA for a bounded run. */
  private final class ProgressLine {
    private final long startNanos;
    private long lastNanos;
    private long lastCount;

    ProgressLine(long startNanos) {
      this.startNanos = startNanos;
      this.lastNanos = startNanos;
    }

    String status() {
      long now = System.nanoTime();
      long count = acknowledged.sum();
      double rate = (count - lastCount) / Math.max(1e-9, (now - lastNanos) / 1e9);
      // Acks arrive in batches, so the ETA uses the steadier average since the start.
      double averageRate = count / Math.max(1e-9, (now - startNanos) / 1e9);
      lastNanos = now;
      lastCount = count;
      StringBuilder sb = new StringBuilder("producer: sent ").append(String.format("%,d", count));
      OptionalLong total = source.total();
      if (total.isPresent() && total.getAsLong() > 0) {
        sb.append('/').append(String.format("%,d", total.getAsLong())).append(' ');
        sb.append(Progress.bar((double) count / total.getAsLong(), 20));
      }
      sb.append(String.format("  %,.0f img/s  errors %d", rate, errors.sum()));
      if (total.isPresent() && averageRate > 0) {
        sb.append("  ETA ").append(Progress.duration((total.getAsLong() - count) / averageRate));
      }
      return sb.toString();
    }
  }
}
