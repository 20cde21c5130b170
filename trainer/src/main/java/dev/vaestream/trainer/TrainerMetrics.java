package dev.vaestream.trainer;

import dev.vaestream.core.metrics.OwnedMeterBinder;
import dev.vaestream.core.record.InvalidRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The trainer's own meters ({@code vae.trainer.*}), bound to a registry as a Micrometer binder and
 * removed again on close. Units match the scorer's for the same quantity: model step in {@code
 * steps}, threshold in {@code score} (per-pixel MSE), ages as time gauges. Updated through named
 * methods only. Thread-safe.
 */
final class TrainerMetrics extends OwnedMeterBinder {
  private final String backend;
  private final String device;
  private final Map<String, Counter> dlq = new ConcurrentHashMap<>();
  private final Map<String, PhaseLoss> phaseLoss = new ConcurrentHashMap<>();
  private final AtomicLong lastCheckpointMs = new AtomicLong();
  private final AtomicLong modelStep = new AtomicLong();
  private volatile double threshold = Double.NaN;
  private volatile double loss = Double.NaN;
  private volatile double reconstruction = Double.NaN;
  private volatile double kl = Double.NaN;
  private volatile double trainingLoss = Double.NaN;
  private Counter steps;
  private Counter images;
  private Counter guardSkipped;
  private Counter softGuardSkipped;
  private Counter rollbacks;
  private Counter checkpoints;
  private Counter transactionRetries;
  private Counter notLearnable;
  private Counter driftDetections;
  // NaN until the first group: not "off" while nothing has been learned yet.
  private volatile double driftState = Double.NaN;
  private volatile double inputShift = Double.NaN;
  private DistributionSummary checkpointSize;
  private Timer checkpointDuration;

  /**
   * @param backend ND4J backend, a tag of {@code vae.trainer.backend}
   * @param device the device it runs on, likewise
   */
  TrainerMetrics(String backend, String device) {
    this.backend = backend;
    this.device = device;
  }

  @Override
  protected void register(MeterRegistry registry) {
    steps =
        own(
            Counter.builder("vae.trainer.steps")
                .description("Adam steps taken (one per batch of 32 learned images)")
                .baseUnit("steps")
                .register(registry));
    images =
        own(
            Counter.builder("vae.trainer.images")
                .description("Images learned from")
                .baseUnit("images")
                .register(registry));
    guardSkipped = guardSkipped(registry, "threshold");
    softGuardSkipped = guardSkipped(registry, "soft");
    rollbacks =
        own(
            Counter.builder("vae.trainer.rollbacks")
                .description("Steps rolled back because the loss or parameters were not finite")
                .baseUnit("steps")
                .register(registry));
    checkpoints =
        own(
            Counter.builder("vae.trainer.checkpoints")
                .description("Checkpoints published (committed with their input offsets)")
                .baseUnit("checkpoints")
                .register(registry));
    transactionRetries =
        own(
            Counter.builder("vae.trainer.checkpoint.retries")
                .description(
                    "Checkpoint transactions aborted after an abortable error (a broker fault) and"
                        + " sent again")
                .baseUnit("transactions")
                .register(registry));
    driftDetections =
        own(
            Counter.builder("vae.trainer.drift.detections")
                .description(
                    "Drift detections published (each with its checkpoint and one event on"
                        + " vae.events, in one transaction)")
                .baseUnit("detections")
                .register(registry));
    own(
        Gauge.builder("vae.trainer.drift.state", this, m -> m.driftState)
            .description(
                "Drift handling: 0 off, 1 warming up, 2 stable, 3 adapting to a detected change"
                    + " (NaN before the first group)")
            .baseUnit("state")
            .register(registry));
    own(
        Gauge.builder("vae.trainer.drift.input.shift", this, m -> m.inputShift)
            .description(
                "The input's ink (trimmed mean pixel intensity) over the last 256 images against"
                    + " the settled stream's, as a fraction; a drift is detected beyond"
                    + " --drift-input-shift (NaN while there is no settled reference)")
            .baseUnit("ratio")
            .register(registry));
    notLearnable =
        own(
            Counter.builder("vae.trainer.images.ignored")
                .description("Valid images not learned because of --learn-split")
                .baseUnit("images")
                .register(registry));
    checkpointSize =
        own(
            DistributionSummary.builder("vae.trainer.checkpoint.size")
                .description("Size of published checkpoints")
                .baseUnit(BaseUnits.BYTES)
                .register(registry));
    checkpointDuration =
        own(
            Timer.builder("vae.trainer.checkpoint.duration")
                .description("Time to encode and commit a checkpoint transaction")
                .register(registry));
    own(
        TimeGauge.builder(
                "vae.trainer.checkpoint.age",
                lastCheckpointMs,
                TimeUnit.MILLISECONDS,
                TrainerMetrics::ageMs)
            .description("Time since the last published checkpoint (NaN before the first)")
            .register(registry));
    own(
        Gauge.builder("vae.trainer.model.step", modelStep, AtomicLong::get)
            .description("Training step of the model being trained")
            .baseUnit("steps")
            .register(registry));
    own(
        Gauge.builder("vae.trainer.threshold", this, m -> m.threshold)
            .description("Anomaly threshold of the poisoning guard, per-pixel MSE (NaN while none)")
            .baseUnit("score")
            .register(registry));
    prequential(registry, "total", m -> m.loss);
    prequential(registry, "reconstruction", m -> m.reconstruction);
    prequential(registry, "kl", m -> m.kl);
    own(
        Gauge.builder("vae.trainer.training.loss", this, m -> m.trainingLoss)
            .description("Training loss of the last step (sampled latent, batch mean)")
            .baseUnit("loss")
            .register(registry));
    // Registered up front so dashboards see zeros rather than no series.
    for (InvalidRecordException.Reason r : InvalidRecordException.Reason.values()) {
      dlqCounter(r.code());
    }
    // An info metric: Prometheus drops the "info" unit from the name.
    own(
        Gauge.builder("vae.trainer.backend", () -> 1)
            .description("ND4J backend and device in use (value is always 1)")
            .baseUnit("info")
            .tag("backend", backend)
            .tag("device", device)
            .register(registry));
  }

  private void prequential(
      MeterRegistry registry, String part, ToDoubleFunction<TrainerMetrics> f) {
    own(
        Gauge.builder("vae.trainer.prequential.loss", this, f)
            .description("Prequential (test-then-train) loss per image of the last group of 32")
            .baseUnit("loss")
            .tag("part", part)
            .register(registry));
  }

  /** Most distinct scenario phases with their own series; any further phase is "other". */
  static final int MAX_PHASES = 16;

  static final String OTHER_PHASE = "other";

  /** The prequential loss of one scenario phase: the last group's while current, else NaN. */
  private static final class PhaseLoss {
    volatile double value = Double.NaN;
  }

  /**
   * The last group's prequential loss under its scenario phase ({@code phase} header of its last
   * image), so a dashboard draws the loss in the colour of the phase; every other phase's series
   * goes NaN (a gap). Nothing for streams without phases.
   */
  void phaseLoss(String phase, double meanLoss) {
    if (phase == null && phaseLoss.isEmpty()) {
      return;
    }
    String name = phase == null ? "none" : phase;
    if (!phaseLoss.containsKey(name) && phaseLoss.size() >= MAX_PHASES) {
      name = OTHER_PHASE;
    }
    PhaseLoss current = phaseLoss.computeIfAbsent(name, this::registerPhase);
    for (PhaseLoss p : phaseLoss.values()) {
      if (p != current) {
        p.value = Double.NaN;
      }
    }
    current.value = meanLoss;
  }

  private PhaseLoss registerPhase(String phase) {
    PhaseLoss p = new PhaseLoss();
    own(
        Gauge.builder("vae.trainer.phase.loss", p, x -> x.value)
            .description(
                "Prequential loss per image of the last group of 32, under the drift-scenario"
                    + " phase its images carried (NaN for the phases not current)")
            .baseUnit("loss")
            .tag("phase", phase)
            .strongReference(true)
            .register(registry()));
    return p;
  }

  private static double ageMs(AtomicLong lastMs) {
    long last = lastMs.get();
    return last == 0 ? Double.NaN : System.currentTimeMillis() - last;
  }

  /**
   * Images the guard left out, tagged by why: {@code threshold} above the hard cut (a share over a
   * few percent means the input changed or is being poisoned), {@code soft} by the soft guard's
   * draw (about a third of a stationary stream, by design).
   */
  private Counter guardSkipped(MeterRegistry registry, String reason) {
    return own(
        Counter.builder("vae.trainer.guard.skipped")
            .description(
                "Images left out of training by the poisoning guard: reason threshold (above the"
                    + " hard cut) or soft (the soft guard's draw)")
            .baseUnit("images")
            .tag("reason", reason)
            .register(registry));
  }

  /** One group of up to 32 images tested, then learned from (or skipped). */
  void group(OnlineLearner.GroupResult r, long step, double currentThreshold) {
    loss = r.meanLoss();
    reconstruction = r.meanReconstruction();
    kl = r.meanKl();
    if (r.steps() > 0) {
      trainingLoss = r.trainingLoss();
    }
    steps.increment(r.steps());
    images.increment(32.0 * r.steps());
    guardSkipped.increment(r.skipped() - r.softSkipped());
    softGuardSkipped.increment(r.softSkipped());
    rollbacks.increment(r.rollbacks());
    modelStep.set(step);
    threshold = Double.isFinite(currentThreshold) ? currentThreshold : Double.NaN;
  }

  /** The detector's state after the last group. */
  void driftState(dev.vaestream.trainer.drift.DriftState state, double inputShift) {
    driftState = state.code();
    this.inputShift = inputShift;
  }

  /** One checkpoint transaction aborted and about to be sent again. */
  void transactionRetried() {
    transactionRetries.increment();
  }

  /** One drift event committed with its checkpoint. */
  void driftPublished() {
    driftDetections.increment();
  }

  /** The model's step, e.g. after a restore. */
  void step(long step) {
    modelStep.set(step);
  }

  /** One valid image not learned because of {@code --learn-split}. */
  void notLearnable() {
    notLearnable.increment();
  }

  /** One invalid record sent to the dead-letter topic. */
  void dlq(String reason) {
    dlqCounter(reason).increment();
  }

  private Counter dlqCounter(String reason) {
    return dlq.computeIfAbsent(
        reason,
        r ->
            own(
                Counter.builder("vae.trainer.dlq")
                    .description("Invalid input records sent to the dead-letter topic")
                    .baseUnit("records")
                    .tag("reason", r)
                    .register(registry())));
  }

  /** One checkpoint committed: its size and the time its transaction took. */
  void checkpointed(long sizeBytes, long nanos) {
    checkpoints.increment();
    checkpointSize.record(sizeBytes);
    checkpointDuration.record(nanos, TimeUnit.NANOSECONDS);
    lastCheckpointMs.set(System.currentTimeMillis());
  }

  double checkpointAgeSeconds() {
    return ageMs(lastCheckpointMs) / 1000.0;
  }

  double prequentialLoss() {
    return loss;
  }

  double dlqCount() {
    return dlq.values().stream().mapToDouble(Counter::count).sum();
  }
}
