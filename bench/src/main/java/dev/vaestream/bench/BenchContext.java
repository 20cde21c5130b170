package dev.vaestream.bench;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.ImageScorer;
import dev.vaestream.localkafka.LocalKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the benchmarks of one run share: the settings, the output, the in-JVM broker (started on
 * first use, closed at the end), the MNIST splits, a briefly trained checkpoint, unique topic
 * names, and figures one benchmark measures for another (train_offline's images/s).
 */
final class BenchContext implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BenchContext.class);

  /** Seed of every model the benchmarks build. */
  static final long SEED = 42;

  /** Steps of the checkpoint the scorer benchmarks load (the scorer rejects step 0). */
  static final int CHECKPOINT_STEPS = 60;

  private static Map<String, Object> facts;

  final BenchCommand.Settings settings;
  private final PrintWriter out;
  private final Consumer<Map<String, Object>> sink;
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  private final AtomicInteger topicCounter = new AtomicInteger();
  private LocalKafka kafka;
  private MnistDataset train;
  private MnistDataset test;
  private Checkpoint checkpoint;
  private Path tempDir;
  private CpuShare.Sample cpuBefore;

  /** train_offline's images/s in this run, once measured. */
  Double offlineImagesPerSec;

  BenchContext(
      BenchCommand.Settings settings, PrintWriter out, Consumer<Map<String, Object>> sink) {
    this.settings = settings;
    this.out = out;
    this.sink = sink;
  }

  /**
   * Starts counting the CPU that other processes use while a benchmark runs: the figures are only
   * as good as the machine is quiet (another build on a 2-core machine halves them), so each line
   * carries {@code other_cpu_share}, the fraction of the machine's CPU time used by anything but
   * this JVM and its children.
   */
  void beforeBenchmark() {
    cpuBefore = CpuShare.sample();
  }

  /** Prints {@code line} as one JSON line, with the machine facts and the CPU noise appended. */
  void emit(Map<String, Object> line) {
    sink.accept(print(out, line, cpuBefore));
  }

  /**
   * The one way a bench line is printed, for the suite and for JMH alike: {@code line}, then {@code
   * other_cpu_share} since {@code before} (null when unknown: no {@code /proc}), then the machine
   * {@link #facts()}, as one JSON line on {@code out}. Warns on standard error when other processes
   * used more than 10% of the CPU.
   *
   * @return the line as printed
   */
  static Map<String, Object> print(
      PrintWriter out, Map<String, Object> line, CpuShare.Sample before) {
    Map<String, Object> full = new LinkedHashMap<>(line);
    double other = CpuShare.otherShare(before, CpuShare.sample());
    full.putIfAbsent("other_cpu_share", Figures.round(other, 3));
    if (other > 0.1) {
      System.err.printf(
          Locale.ROOT,
          "bench: warning: other processes used %.0f%% of the CPU during %s: its figures are"
              + " low%n",
          other * 100,
          line.get("name"));
    }
    facts().forEach(full::putIfAbsent);
    out.println(JsonLine.of(full));
    out.flush();
    return full;
  }

  /** Cores, JDK, ND4J backend and device, OpenMP threads, and the CPU model; read once. */
  static synchronized Map<String, Object> facts() {
    if (facts == null) {
      Map<String, Object> f = new LinkedHashMap<>(Nd4jRuntime.facts());
      f.put("cpu", cpuModel());
      facts = f;
    }
    return facts;
  }

  /** The shared in-JVM broker, started on first use. */
  synchronized LocalKafka kafka() {
    if (kafka == null) {
      System.err.println("bench: starting the in-JVM Kafka broker (KRaft)...");
      kafka = LocalKafka.start();
    }
    return kafka;
  }

  /** A topic (or group, or id) name unique to this run: {@code bench-<run>-<what>-<n>}. */
  String unique(String what) {
    return "bench-" + runId + "-" + what + "-" + topicCounter.incrementAndGet();
  }

  synchronized MnistDataset train() {
    if (train == null) {
      train = MnistDataset.bundled(MnistSplit.TRAIN);
    }
    return train;
  }

  synchronized MnistDataset test() {
    if (test == null) {
      test = MnistDataset.bundled(MnistSplit.TEST);
    }
    return test;
  }

  /** A temporary directory for this run (logs, state); kept for inspection, its path logged. */
  synchronized Path tempDir() throws IOException {
    if (tempDir == null) {
      tempDir = Files.createTempDirectory("vae-stream-bench-");
      log.info("Benchmark files (child logs, state) in {}", tempDir);
    }
    return tempDir;
  }

  /**
   * A model trained {@value #CHECKPOINT_STEPS} steps and calibrated on 1,000 test digits, as a
   * checkpoint: what the scorer benchmarks load. Cached for the run.
   */
  synchronized Checkpoint checkpoint() {
    if (checkpoint == null) {
      VaeModel model = trainedModel(CHECKPOINT_STEPS);
      checkpoint = Checkpoint.of(model, List.of(), calibrate(model), Map.of(), Map.of());
    }
    return checkpoint;
  }

  /** A fresh model trained {@code steps} steps on the training set in order. */
  VaeModel trainedModel(int steps) {
    MnistDataset data = train();
    VaeModel model = VaeModel.create(SEED);
    float[] batch = new float[VaeArchitecture.BATCH * MnistDataset.PIXELS];
    int next = 0;
    while (model.step() < steps) {
      fillBatch(data, null, next++, batch);
      model.trainStep(VaeModel.batch(batch, VaeArchitecture.BATCH));
    }
    return model;
  }

  /**
   * Fills {@code dest} with batch number {@code b}: the 32 images at positions {@code 32b .. 32b +
   * 31} of {@code order} (wrapping around), scaled to [0, 1]; {@code order} null: the data's own.
   */
  static void fillBatch(MnistDataset data, int[] order, int b, float[] dest) {
    int n = order == null ? data.size() : order.length;
    for (int i = 0; i < VaeArchitecture.BATCH; i++) {
      int position = (int) (((long) b * VaeArchitecture.BATCH + i) % n);
      data.copyScaled(order == null ? position : order[position], dest, i * MnistDataset.PIXELS);
    }
  }

  /**
   * The calibration a checkpoint carries: quantiles of 1,000 test digits' scores, computed as
   * {@code vae-stream train} does ({@link ImageScorer}).
   */
  Calibration calibrate(VaeModel model) {
    int n = 1000;
    double[] mse = ImageScorer.score(model, n, test()::image).mse();
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      scores[i] = (float) mse[i];
    }
    return Calibration.of(scores, n);
  }

  /** Steps for the training benchmarks: {@code --train-steps}, or one epoch. */
  int trainSteps() {
    int perEpoch = train().size() / VaeArchitecture.BATCH;
    return settings.trainSteps() > 0 ? settings.trainSteps() : perEpoch;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("No /proc/cpuinfo: {}", e.toString());
    }
    return System.getProperty("os.arch");
  }

  @Override
  public synchronized void close() {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
  }
}
