package dev.vaestream.bench;

import dev.vaestream.core.cli.CommandPlugin;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/vae-stream bench}: the benchmark suite. Each benchmark prints one JSON object on its
 * own line of standard output ({@code "name"}, its figures, the target where the issue sets one,
 * and the machine facts); progress and logs go to standard error. {@code --jmh [REGEX]} runs the
 * JMH micro-benchmarks of the hot paths instead, one JSON line per benchmark.
 *
 * <p>Benchmarks that need Kafka share one in-JVM KRaft broker ({@code LocalKafka}), started on
 * first use, with unique topic names per benchmark. Each benchmark is bounded in time; the default
 * suite takes about three minutes on a 2-core machine.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run the benchmarks: one JSON line per benchmark on stdout, progress on stderr.",
      "Benchmarks: train_offline, train_stream, score_batch, score_stream, latency, footprint,"
          + " checkpoint. --jmh [REGEX] runs the JMH micro-benchmarks (decode, batch_assembly,"
          + " vae_model_batch, forward, train_step, score_json, adam_nd4j, adam_nio_loop)"
          + " instead."
    })
public final class BenchCommand implements Callable<Integer>, CommandPlugin {
  private static final Logger log = LoggerFactory.getLogger(BenchCommand.class);

  /** Every benchmark, in the order the suite runs them. */
  public static final List<String> NAMES =
      List.of(
          "train_offline",
          "train_stream",
          "score_batch",
          "score_stream",
          "latency",
          "footprint",
          "checkpoint",
          "drift");

  @Spec CommandSpec spec;

  @Option(
      names = "--only",
      paramLabel = "NAME",
      split = ",",
      description = "Run only these benchmarks (default: all of them, in the order above).")
  List<String> only;

  @Option(
      names = "--jmh",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "REGEX",
      description =
          "Run the JMH micro-benchmarks whose name matches REGEX (default: all) instead of the"
              + " suite.")
  String jmh;

  @Option(
      names = "--jmh-forks",
      defaultValue = "1",
      paramLabel = "N",
      description = "JMH forks: 1 (default) isolates each benchmark's JIT profile, 0 runs in-JVM.")
  int jmhForks;

  @Option(
      names = "--train-steps",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Steps of 32 for train_offline and train_stream (default 0: one epoch, 1875 steps).")
  int trainSteps;

  @Option(
      names = "--seed-images-per-sec",
      defaultValue = "0",
      paramLabel = "X",
      description =
          "train_offline: the seed's PyTorch loop's images/s, measured on this machine just before"
              + " or after (../shared/tools/seed_reference.py); adds the ratio to it and the"
              + " target of 3x. Default 0: not given, no ratio.")
  double seedImagesPerSec;

  @Option(
      names = "--score-seconds",
      defaultValue = "3",
      paramLabel = "S",
      description = "score_batch: measured seconds per batch size (default ${DEFAULT-VALUE}).")
  double scoreSeconds;

  @Option(
      names = "--stream-images",
      defaultValue = "1200000",
      paramLabel = "N",
      description =
          "score_stream: images timed, after a quarter as many more to warm up (default"
              + " ${DEFAULT-VALUE}: about 25 s on 2 cores; with 400000 the JIT still compiled"
              + " through the timed part).")
  int streamImages;

  @Option(
      names = "--stats",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "score_stream and latency: run the scorer's windowed statistics stream, as deployed"
              + " (default on).")
  boolean scorerStats;

  @Option(
      names = "--pipeline",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "score_stream and latency: the scorer's forward pass on a thread of its own, as deployed"
              + " (default on; --no-pipeline: inline, for a paired comparison).")
  boolean scorerPipeline;

  @Option(
      names = "--latency-rates",
      split = ",",
      defaultValue = "500,1000,5000",
      paramLabel = "R",
      description = "latency: offered rates in images/s (default ${DEFAULT-VALUE}).")
  List<Integer> latencyRates;

  @Option(
      names = "--latency-seconds",
      defaultValue = "12",
      paramLabel = "S",
      description = "latency: seconds per rate (default ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(
      names = "--footprint-seconds",
      defaultValue = "30",
      paramLabel = "S",
      description = "footprint: seconds the pipeline runs once started (default ${DEFAULT-VALUE}).")
  int footprintSeconds;

  @Option(
      names = "--footprint-rate",
      defaultValue = "1000",
      paramLabel = "R",
      description = "footprint: the producer's --rate, as in the demo (default ${DEFAULT-VALUE}).")
  int footprintRate;

  @Option(
      names = "--checkpoint-repeats",
      defaultValue = "10",
      paramLabel = "N",
      description = "checkpoint: publishes and loads measured (default ${DEFAULT-VALUE}).")
  int checkpointRepeats;

  @Option(
      names = "--drift-phase-images",
      defaultValue = "100000",
      paramLabel = "N",
      description =
          "drift: images per scenario phase (default ${DEFAULT-VALUE}: 300,000 stationary images"
              + " before the changes over the three scenarios).")
  long driftPhaseImages;

  @Option(
      names = "--drift-scenarios",
      split = ",",
      defaultValue = "class-incremental,rotation,gradual-thickness",
      paramLabel = "NAME",
      description =
          "drift: built-in scenarios to run (default ${DEFAULT-VALUE}; one each per process lets"
              + " them run in parallel).")
  List<String> driftScenarios;

  @Option(
      names = "--drift-seed",
      defaultValue = "42",
      paramLabel = "S",
      description =
          "drift: seeds the scenario stream, its anomalies and the model (default"
              + " ${DEFAULT-VALUE}); other seeds show how much a figure owes to one stream.")
  long driftSeed;

  /** The figures the benchmarks read, validated. */
  record Settings(
      int trainSteps,
      double scoreSeconds,
      int streamImages,
      boolean scorerStats,
      boolean scorerPipeline,
      List<Integer> latencyRates,
      int latencySeconds,
      int footprintSeconds,
      int footprintRate,
      int checkpointRepeats,
      long driftPhaseImages,
      List<String> driftScenarios,
      long driftSeed,
      double seedImagesPerSec) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // Standard output carries only the JSON lines: whatever else prints there (the in-JVM
    // broker's formatter, native libraries) goes to standard error while the benchmarks run.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try {
      return jmh != null ? JmhBenchmarks.run(jmh, jmhForks, out) : suite(out);
    } finally {
      System.out.flush();
      System.setOut(stdout);
    }
  }

  private int suite(PrintWriter out) {
    List<String> selected = selected();
    Settings settings = settings();
    // A backend that cannot load (the CUDA build without a GPU) stops the run with one message.
    dev.vaestream.core.model.Nd4jRuntime.configure();
    List<Map<String, Object>> lines = new ArrayList<>();
    int code = ExitCodes.OK;
    try (BenchContext ctx = new BenchContext(settings, out, lines::add)) {
      for (String name : selected) {
        long t0 = System.nanoTime();
        System.err.printf(Locale.ROOT, "bench: %s ...%n", name);
        ctx.beforeBenchmark();
        try {
          run(name, ctx);
        } catch (Exception e) {
          code = ExitCodes.FAILURE;
          log.error("Benchmark {} failed", name, e);
          Map<String, Object> failed = new LinkedHashMap<>();
          failed.put("name", name);
          failed.put("error", String.valueOf(e));
          ctx.emit(failed);
        }
        System.err.printf(
            Locale.ROOT, "bench: %s done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
      }
    }
    Targets.summary(lines, System.err);
    return code;
  }

  private static void run(String name, BenchContext ctx) throws Exception {
    switch (name) {
      case "train_offline" -> TrainBenchmarks.offline(ctx);
      case "train_stream" -> TrainBenchmarks.stream(ctx);
      case "score_batch" -> ScoreBenchmarks.batch(ctx);
      case "score_stream" -> ScoreBenchmarks.stream(ctx);
      case "latency" -> LatencyBenchmark.run(ctx);
      case "footprint" -> FootprintBenchmark.run(ctx);
      case "checkpoint" -> CheckpointBenchmark.run(ctx);
      case "drift" -> DriftBenchmark.run(ctx);
      default -> throw new UserException("unknown benchmark " + name);
    }
  }

  private List<String> selected() {
    if (only == null || only.isEmpty()) {
      // drift trains 900,000 images at its default size: only on request (--only drift).
      return NAMES.stream().filter(n -> !n.equals("drift")).toList();
    }
    List<String> out = new ArrayList<>();
    for (String name : only) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      if (!NAMES.contains(n)) {
        throw new UserException("--only: unknown benchmark '" + name + "' (one of " + NAMES + ")");
      }
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    // The suite's order, whatever the order of the flag: train_stream reuses train_offline's
    // figure when both run.
    out.sort((a, b) -> Integer.compare(NAMES.indexOf(a), NAMES.indexOf(b)));
    return out;
  }

  private Settings settings() {
    if (trainSteps < 0) {
      throw new UserException("--train-steps must be >= 0");
    }
    if (!(scoreSeconds > 0)) {
      throw new UserException("--score-seconds must be positive");
    }
    if (streamImages < 1000) {
      throw new UserException("--stream-images must be at least 1000");
    }
    if (latencySeconds < 2 || latencyRates.stream().anyMatch(r -> r < 1)) {
      throw new UserException("--latency-seconds must be >= 2 and every rate >= 1");
    }
    if (footprintSeconds < 5 || footprintRate < 1) {
      throw new UserException("--footprint-seconds must be >= 5 and --footprint-rate >= 1");
    }
    if (driftPhaseImages < 5_000) {
      throw new UserException("--drift-phase-images must be at least 5000");
    }
    for (String name : driftScenarios) {
      if (!DriftBenchmark.SCENARIOS.contains(name)) {
        throw new UserException(
            "--drift-scenarios: unknown scenario '"
                + name
                + "' (expected one of "
                + String.join(",", DriftBenchmark.SCENARIOS)
                + ")");
      }
    }
    if (checkpointRepeats < 1) {
      throw new UserException("--checkpoint-repeats must be >= 1");
    }
    if (!(seedImagesPerSec >= 0) || Double.isInfinite(seedImagesPerSec)) {
      throw new UserException("--seed-images-per-sec must be a finite number >= 0");
    }
    return new Settings(
        trainSteps,
        scoreSeconds,
        streamImages,
        scorerStats,
        scorerPipeline,
        List.copyOf(latencyRates),
        latencySeconds,
        footprintSeconds,
        footprintRate,
        checkpointRepeats,
        driftPhaseImages,
        List.copyOf(driftScenarios),
        driftSeed,
        seedImagesPerSec);
  }
}
