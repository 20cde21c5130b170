package dev.vaestream.bench;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.Progress;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.StepResult;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.OfflineTraining;
import dev.vaestream.core.offline.Shuffle;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.localkafka.LoopbackPorts;
import dev.vaestream.trainer.TrainerCommand;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code train_offline}: images/s of the offline loop ({@link OfflineTraining}, what {@code
 * vae-stream train} runs) over one epoch at batch 32, and the distribution of single {@link
 * VaeModel#trainStep} times. {@code train_stream}: images/s of the real trainer ({@code
 * TrainerCommand}, run in a thread of this JVM) consuming a preloaded topic, from its first step to
 * its last, and the ratio to offline training measured just before and just after it.
 */
final class TrainBenchmarks {
  static final int WARMUP_STEPS = 100;
  static final int TIMED_STEPS = 500;
  static final double TARGET_IMAGES_PER_SEC = 3500;
  static final double TARGET_RATIO = 0.9;
  static final double TARGET_SEED_RATIO = 3.0;
  static final int GEMM_REPEATS = 500;
  static final int STREAM_PARTITIONS = 3;
  static final int STREAM_WARMUP_STEPS = 200;
  static final int REFERENCE_STEPS = 600;

  /** A trainer that takes no step for this long has run out of input or is stuck. */
  static final long STALL_NANOS = 120_000_000_000L;

  private TrainBenchmarks() {}

  static void offline(BenchContext ctx) {
    int steps = ctx.trainSteps();
    MnistDataset train = ctx.train();
    VaeModel model = VaeModel.create(BenchContext.SEED);
    OfflineTraining.Result run = offlineRun(train, model, steps);
    ctx.offlineImagesPerSec = run.imagesPerSec();

    // Single steps, timed one by one on the same (warm) model, batches assembled outside the
    // timing.
    int timed = Math.min(TIMED_STEPS, steps);
    System.err.printf(Locale.ROOT, "bench: train_offline: timing %d single steps%n", timed);
    int[] order = Shuffle.permutation(train.size(), BenchContext.SEED, 1_000);
    float[] buffer = new float[VaeArchitecture.BATCH * MnistDataset.PIXELS];
    double[] ms = new double[timed];
    double sum = 0;
    for (int s = 0; s < timed; s++) {
      BenchContext.fillBatch(train, order, s, buffer);
      INDArray batch = VaeModel.batch(buffer, VaeArchitecture.BATCH);
      long t0 = System.nanoTime();
      StepResult r = model.trainStep(batch);
      ms[s] = Figures.millis(System.nanoTime() - t0);
      sum += ms[s];
      if (!r.applied()) {
        throw new IllegalStateException("training diverged during the timed steps");
      }
    }

    double[] sorted = Figures.sorted(ms);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "train_offline");
    line.put("batch", VaeArchitecture.BATCH);
    line.put("steps", steps);
    line.put("images", run.images());
    line.put("seconds", Figures.round(run.seconds(), 2));
    line.put("images_per_sec", Figures.rate(run.imagesPerSec()));
    line.put("step_ms_p50", Figures.round(Figures.percentileOfSorted(sorted, 0.5), 3));
    line.put("step_ms_p99", Figures.round(Figures.percentileOfSorted(sorted, 0.99), 3));
    line.put("step_ms_mean", Figures.round(sum / timed, 3));
    line.put("step_ms_max", Figures.round(Figures.percentileOfSorted(sorted, 1.0), 3));
    line.put("timed_steps", timed);
    line.put("warmup_steps", WARMUP_STEPS);
    line.put("final_loss", Figures.round(run.finalLoss(), 2));
    line.put("target", Figures.target("images_per_sec", TARGET_IMAGES_PER_SEC));
    line.put("meets_target", run.imagesPerSec() >= TARGET_IMAGES_PER_SEC);
    // The arithmetic limit: the step's matrix products alone, same shapes and buffers.
    double gemmSeconds = model.matrixProductSeconds(VaeArchitecture.BATCH, GEMM_REPEATS);
    if (Double.isFinite(gemmSeconds)) {
      double gemmMs = 1e3 * gemmSeconds / GEMM_REPEATS;
      line.put("gemm_only_step_ms", Figures.round(gemmMs, 3));
      line.put(
          "gemm_only_gflops", Figures.round(stepFlops(VaeArchitecture.BATCH) / (gemmMs * 1e6), 1));
      line.put(
          "gemm_share_of_step", Figures.round(gemmMs / Figures.percentileOfSorted(sorted, 0.5), 3));
    }
    double seed = ctx.settings.seedImagesPerSec();
    if (seed > 0) {
      line.put("seed_images_per_sec", seed);
      line.put("ratio_to_seed", Figures.round(run.imagesPerSec() / seed, 2));
      line.put("seed_target_ratio", TARGET_SEED_RATIO);
      line.put("meets_seed_target", run.imagesPerSec() / seed >= TARGET_SEED_RATIO);
    }
    ctx.emit(line);
  }

  /**
   * Floating-point operations of one training step's matrix products at batch {@code n}: forward,
   * weight gradients (the same count again) and the backward products to every layer's input but
   * the first.
   */
  static double stepFlops(int n) {
    int[] widths = {
      VaeArchitecture.INPUT,
      VaeArchitecture.ENCODER[0],
      VaeArchitecture.ENCODER[1],
      2 * VaeArchitecture.LATENT,
    };
    int[] dec = {
      VaeArchitecture.LATENT,
      VaeArchitecture.DECODER[0],
      VaeArchitecture.DECODER[1],
      VaeArchitecture.INPUT,
    };
    double macs = 0;
    for (int i = 0; i + 1 < widths.length; i++) {
      macs += (double) widths[i] * widths[i + 1];
    }
    for (int i = 0; i + 1 < dec.length; i++) {
      macs += (double) dec[i] * dec[i + 1];
    }
    double firstLayer = (double) widths[0] * widths[1];
    return 2.0 * n * (3 * macs - firstLayer);
  }

  /** {@link #WARMUP_STEPS} steps to warm up, then {@code steps} measured, on {@code model}. */
  static OfflineTraining.Result offlineRun(MnistDataset train, VaeModel model, int steps) {
    OfflineTraining training = new OfflineTraining(train, BenchContext.SEED);
    System.err.printf(
        Locale.ROOT,
        "bench: offline training: %d warm-up steps, then %d measured steps (%d images)%n",
        WARMUP_STEPS,
        steps,
        (long) steps * VaeArchitecture.BATCH);
    training.trainUntilStep(model, model.step() + WARMUP_STEPS, null);
    try (Progress progress = Progress.forConsole()) {
      return training.trainUntilStep(model, model.step() + steps, progress);
    }
  }

  /**
   * images/s of the trainer's per-group work without Kafka: score the group's floats (the
   * prequential test), then one Adam step on a batch array of them, on a warmed-up model. The test
   * runs on this thread alone, where {@code OnlineLearner} splits it over two.
   */
  static double offlineTestThenTrain(MnistDataset train, int steps) {
    VaeModel model = VaeModel.create(BenchContext.SEED);
    float[] group = new float[VaeArchitecture.BATCH * MnistDataset.PIXELS];
    int[] order = Shuffle.permutation(train.size(), BenchContext.SEED, 2_000);
    long t0 = 0;
    for (int s = 0; s < WARMUP_STEPS + steps; s++) {
      if (s == WARMUP_STEPS) {
        t0 = System.nanoTime();
      }
      BenchContext.fillBatch(train, order, s, group);
      model.score(group, VaeArchitecture.BATCH);
      model.trainStep(VaeModel.batch(group, VaeArchitecture.BATCH));
    }
    return (double) steps * VaeArchitecture.BATCH / Figures.seconds(System.nanoTime() - t0);
  }

  static void stream(BenchContext ctx) throws InterruptedException {
    int steps = ctx.trainSteps();
    // This VM's speed drifts by several percent over seconds to minutes, so the offline reference
    // brackets the stream run: the same number of steps measured (or taken from train_offline)
    // just before it and again just after it, the ratio taken to their mean.
    String offlineSource = "mean of train_offline before and the same steps after";
    double offlineBefore;
    if (ctx.offlineImagesPerSec != null) {
      offlineBefore = ctx.offlineImagesPerSec;
    } else {
      offlineBefore =
          offlineRun(ctx.train(), VaeModel.create(BenchContext.SEED), steps).imagesPerSec();
      offlineSource = "mean of the same steps offline before and after";
    }

    LocalKafka kafka = ctx.kafka();
    String bootstrap = kafka.bootstrapServers();
    String input = ctx.unique("train-images");
    kafka.createTopic(input, STREAM_PARTITIONS);
    // Room for the images the poisoning guard leaves out (about 1% after its warm-up).
    int images = steps * VaeArchitecture.BATCH * 21 / 20 + 2_000;
    BenchKafka.preload(bootstrap, input, ctx.train(), images);

    int port = LoopbackPorts.free();
    String[] args = {
      "--bootstrap-servers",
      bootstrap,
      "--input-topic",
      input,
      "--checkpoint-topic",
      ctx.unique("train-checkpoints"),
      "--dlq-topic",
      ctx.unique("train-dlq"),
      "--group-id",
      ctx.unique("trainer-group"),
      "--transactional-id",
      ctx.unique("trainer-tx"),
      "--max-steps",
      Integer.toString(steps),
      // The hard guard only, as offline learns every image: the soft guard (the default) tests
      // about 1.5 images per image learned, a policy cost that would hide what the stream costs.
      "--no-guard-soft",
      "--http-host",
      "127.0.0.1",
      "--http-port",
      Integer.toString(port)
    };
    AtomicInteger exit = new AtomicInteger(Integer.MIN_VALUE);
    long start = System.nanoTime();
    Thread trainer =
        new Thread(
            () -> exit.set(ErrorReporting.commandLine(new TrainerCommand()).execute(args)),
            "bench-trainer");
    trainer.start();
    System.err.printf(
        Locale.ROOT, "bench: train_stream: trainer started for %d steps (%s)%n", steps, input);

    // Time the learning itself from the trainer's own /metrics: from the step where the warm-up
    // ends (the consumer's, broker's and trainer's code compiling) to the last. Scraped often only
    // around those two steps, so the scrapes cost the trainer next to nothing.
    int warmupSteps = Math.min(STREAM_WARMUP_STEPS, steps / 5);
    long firstStepNanos = 0;
    long firstNanos = 0;
    double firstSteps = 0;
    long lastNanos = 0;
    double lastSteps = 0;
    Map<String, Double> lastMetrics = Map.of();
    long nextLog = System.nanoTime() + 10_000_000_000L;
    while (trainer.isAlive()) {
      Map<String, Double> m = BenchKafka.scrape(port);
      long now = System.nanoTime();
      Double s = m.get("vae_trainer_steps_total");
      if (s != null) {
        if (firstStepNanos == 0 && s > 0) {
          firstStepNanos = now;
        }
        if (firstNanos == 0 && s >= Math.max(1, warmupSteps)) {
          firstNanos = now;
          firstSteps = s;
        }
        if (s > lastSteps) {
          lastSteps = s;
          lastNanos = now;
          lastMetrics = m;
        } else if (lastNanos != 0 && now - lastNanos > STALL_NANOS) {
          throw new IllegalStateException(
              "train_stream: no training step for 120 s at step "
                  + Math.round(lastSteps)
                  + " of "
                  + steps
                  + " (input used up? guard skipped "
                  + Math.round(m.getOrDefault("vae_trainer_guard_skipped_images_total", 0.0))
                  + " images)");
        }
        if (s >= steps) {
          break;
        }
      }
      if (now > nextLog) {
        System.err.printf(Locale.ROOT, "bench: train_stream: step %.0f of %d%n", lastSteps, steps);
        nextLog = now + 10_000_000_000L;
      }
      long sleepMs = 20;
      if (firstNanos != 0 && lastSteps > firstSteps) {
        double perSec = (lastSteps - firstSteps) / Figures.seconds(lastNanos - firstNanos);
        double remaining = (steps - lastSteps) / perSec;
        sleepMs = remaining > 2 ? (long) Math.min(1000, (remaining - 1.5) * 1000) : 10;
      }
      Thread.sleep(sleepMs);
    }
    trainer.join(120_000);
    long endNanos = System.nanoTime();
    if (lastSteps < steps) {
      // The endpoint closed before a scrape saw the last step: the thread's end is the bound.
      lastNanos = endNanos;
      lastSteps = steps;
    }
    if (firstNanos == 0) {
      throw new IllegalStateException("the trainer never took a step (exit " + exit.get() + ")");
    }
    double seconds = Figures.seconds(lastNanos - firstNanos);
    double learned = (lastSteps - firstSteps) * VaeArchitecture.BATCH;
    double rate = learned / seconds;
    double offlineAfter =
        offlineRun(ctx.train(), VaeModel.create(BenchContext.SEED), steps).imagesPerSec();
    double offline = (offlineBefore + offlineAfter) / 2;
    double ratio = rate / offline;

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "train_stream");
    line.put("steps", steps);
    line.put("images", Math.round(learned));
    line.put("seconds", Figures.round(seconds, 2));
    line.put("images_per_sec", Figures.rate(rate));
    line.put("offline_images_per_sec", Figures.rate(offline));
    line.put("offline_source", offlineSource);
    line.put("offline_before_images_per_sec", Figures.rate(offlineBefore));
    line.put("offline_after_images_per_sec", Figures.rate(offlineAfter));
    line.put("ratio", Figures.round(ratio, 3));
    line.put("warmup_steps", Math.round(firstSteps));
    line.put("startup_seconds", Figures.round(Figures.seconds(firstStepNanos - start), 2));
    // The trainer tests before it trains: each group is scored with the current model first. The
    // same work without Kafka shows what the stream itself costs.
    double testThenTrain = offlineTestThenTrain(ctx.train(), Math.min(steps, REFERENCE_STEPS));
    line.put("offline_test_then_train_images_per_sec", Figures.rate(testThenTrain));
    line.put("ratio_to_test_then_train", Figures.round(rate / testThenTrain, 3));
    line.put("total_seconds", Figures.round(Figures.seconds(endNanos - start), 2));
    line.put(
        "guard_skipped",
        Math.round(lastMetrics.getOrDefault("vae_trainer_guard_skipped_images_total", 0.0)));
    line.put("guard", "hard only (--no-guard-soft)");
    line.put("partitions", STREAM_PARTITIONS);
    line.put("exit_code", exit.get());
    line.put("target", Figures.target("ratio", TARGET_RATIO));
    line.put("meets_target", ratio >= TARGET_RATIO);
    ctx.emit(line);
  }
}
