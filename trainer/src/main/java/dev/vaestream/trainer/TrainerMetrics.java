package dev.vaestream.trainer;

import dev.vaestream.core.record.InvalidRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The trainer's meters, named {@code vae.trainer.*}. */
final class TrainerMetrics {
  private final MeterRegistry registry;
  final Counter steps;
  final Counter images;
  final Counter guardSkipped;
  final Counter rollbacks;
  final Counter checkpoints;
  final Counter notLearnable;
  final DistributionSummary checkpointSize;
  final Timer checkpointDuration;
  private final Map<String, Counter> dlq = new ConcurrentHashMap<>();
  private final AtomicLong lastCheckpointMs = new AtomicLong();
  private final AtomicLong modelStep = new AtomicLong();
  private volatile double threshold = Double.NaN;
  private volatile double loss = Double.NaN;
  private volatile double reconstruction = Double.NaN;
  private volatile double kl = Double.NaN;
  private volatile double trainingLoss = Double.NaN;

  TrainerMetrics(MeterRegistry registry, String backend, String device) {
    this.registry = registry;
    steps =
        Counter.builder("vae.trainer.steps")
            .description("Adam steps taken (one per batch of 32 learned images)")
            .baseUnit("steps")
            .register(registry);
    images =
        Counter.builder("vae.trainer.images")
            .description("Images learned from")
            .baseUnit("images")
            .register(registry);
    guardSkipped =
        Counter.builder("vae.trainer.guard.skipped")
            .description("Images left out of training by the poisoning guard")
            .baseUnit("images")
            .register(registry);
    rollbacks =
        Counter.builder("vae.trainer.rollbacks")
            .description("Steps rolled back because the loss or parameters were not finite")
            .baseUnit("steps")
            .register(registry);
    checkpoints =
        Counter.builder("vae.trainer.checkpoints")
            .description("Checkpoints published (committed with their input offsets)")
            .baseUnit("checkpoints")
            .register(registry);
    notLearnable =
        Counter.builder("vae.trainer.images.ignored")
            .description("Valid images not learned because of --learn-split")
            .baseUnit("images")
            .register(registry);
    checkpointSize =
        DistributionSummary.builder("vae.trainer.checkpoint.size")
            .description("Size of published checkpoints")
            .baseUnit("bytes")
            .register(registry);
    checkpointDuration =
        Timer.builder("vae.trainer.checkpoint.duration")
            .description("Time to encode and commit a checkpoint transaction")
            .register(registry);
    Gauge.builder("vae.trainer.checkpoint.age", this, m -> m.checkpointAgeSeconds())
        .description("Seconds since the last published checkpoint")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("vae.trainer.model.step", modelStep, AtomicLong::get)
        .description("Step of the model being trained")
        .baseUnit("steps")
        .register(registry);
    Gauge.builder("vae.trainer.threshold", this, m -> m.threshold)
        .description("Current anomaly threshold of the poisoning guard (per-pixel MSE)")
        .baseUnit("mse")
        .register(registry);
    prequential("total", m -> m.loss);
    prequential("reconstruction", m -> m.reconstruction);
    prequential("kl", m -> m.kl);
    Gauge.builder("vae.trainer.training.loss", this, m -> m.trainingLoss)
        .description("Training loss of the last step (sampled latent, batch mean)")
        .baseUnit("loss")
        .register(registry);
    // Registered up front so dashboards see zeros rather than no series.
    for (InvalidRecordException.Reason r : InvalidRecordException.Reason.values()) {
      dlqCounter(r.code());
    }
    Gauge.builder("vae.trainer.backend", () -> 1)
        .description("ND4J backend and device in use (value is always 1)")
        .tag("backend", backend)
        .tag("device", device)
        .register(registry);
  }

  private void prequential(String part, java.util.function.ToDoubleFunction<TrainerMetrics> f) {
    Gauge.builder("vae.trainer.prequential.loss", this, f)
        .description("Prequential (test-then-train) loss per image of the last group of 32")
        .baseUnit("loss")
        .tag("part", part)
        .register(registry);
  }

  void group(OnlineLearner.GroupResult r, long step, double currentThreshold) {
    loss = r.meanLoss();
    reconstruction = r.meanReconstruction();
    kl = r.meanKl();
    if (r.steps() > 0) {
      trainingLoss = r.trainingLoss();
    }
    steps.increment(r.steps());
    images.increment(32.0 * r.steps());
    guardSkipped.increment(r.skipped());
    rollbacks.increment(r.rollbacks());
    modelStep.set(step);
    threshold = Double.isFinite(currentThreshold) ? currentThreshold : Double.NaN;
  }

  void step(long step) {
    modelStep.set(step);
  }

  void dlq(String reason) {
    dlqCounter(reason).increment();
  }

  private Counter dlqCounter(String reason) {
    return dlq.computeIfAbsent(
        reason,
        r ->
            Counter.builder("vae.trainer.dlq")
                .description("Invalid input records sent to the dead-letter topic")
                .baseUnit("records")
                .tag("reason", r)
                .register(registry));
  }

  void checkpointed(long sizeBytes, long nanos) {
    checkpoints.increment();
    checkpointSize.record(sizeBytes);
    checkpointDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    lastCheckpointMs.set(System.currentTimeMillis());
  }

  double checkpointAgeSeconds() {
    long last = lastCheckpointMs.get();
    return last == 0 ? Double.NaN : (System.currentTimeMillis() - last) / 1000.0;
  }

  double prequentialLoss() {
    return loss;
  }

  double dlqCount() {
    return dlq.values().stream().mapToDouble(Counter::count).sum();
  }
}
