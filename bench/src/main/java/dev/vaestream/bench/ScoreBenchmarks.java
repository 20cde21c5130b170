package dev.vaestream.bench;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.scorer.ScorerService;
import dev.vaestream.scorer.ScorerSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code score_batch}: the forward pass alone, as the scorer calls it ({@link
 * VaeModel#score(float[], int, boolean)} on scaled pixels, no reconstructions), at batch 1, 32,
 * 256, 512 (the scorer's default batch) and 1024. {@code score_stream}: the real scorer ({@link
 * ScorerService}, exactly-once, statistics on as deployed) over a preloaded topic, from ready to
 * every score committed, against that forward pass at the scorer's batch size, measured again in
 * the same benchmark just before the scorer starts (target: a ratio of at least {@value
 * #TARGET_FORWARD_RATIO}, issue 16), and against the Kafka ceiling measured by {@link KafkaCeiling}
 * on the same records (context only: a quarter of it is more than one core computes in fp32).
 */
final class ScoreBenchmarks {
  static final int[] BATCHES = {1, 32, 256, 512, 1024};
  static final double TARGET_FORWARD_RATIO = 0.8;
  static final int STREAM_PARTITIONS = 3;

  private ScoreBenchmarks() {}

  static void batch(BenchContext ctx) {
    MnistDataset test = ctx.test();
    VaeModel model = ctx.checkpoint().toModel();
    double seconds = ctx.settings.scoreSeconds();
    Map<String, Object> rates = new LinkedHashMap<>();
    Map<String, Object> perBatch = new LinkedHashMap<>();
    for (int b : BATCHES) {
      // A few distinct batches of test digits, built before the timing.
      float[][] batches = batches(test, b);
      timeScoring(model, batches, b, seconds / 3); // warm-up
      long[] done = timeScoring(model, batches, b, seconds);
      double elapsed = Figures.seconds(done[1]);
      double imagesPerSec = done[0] * (double) b / elapsed;
      rates.put(Integer.toString(b), Figures.rate(imagesPerSec));
      perBatch.put(Integer.toString(b), Figures.round(Figures.millis(done[1]) / done[0], 4));
      System.err.printf(
          Locale.ROOT,
          "bench: score_batch: batch %d: %.0f images/s (%d passes)%n",
          b,
          imagesPerSec,
          done[0]);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "score_batch");
    line.put("images_per_sec_by_batch", rates);
    line.put("ms_per_batch_by_batch", perBatch);
    line.put("seconds_per_batch_size", seconds);
    ctx.emit(line);
  }

  /** A few distinct batches of {@code b} scaled test digits, built before any timing. */
  private static float[][] batches(MnistDataset test, int b) {
    int distinct = Math.max(1, Math.min(8, 4096 / b));
    float[][] batches = new float[distinct][b * MnistDataset.PIXELS];
    for (int k = 0; k < distinct; k++) {
      for (int i = 0; i < b; i++) {
        test.copyScaled((k * b + i) % test.size(), batches[k], i * MnistDataset.PIXELS);
      }
    }
    return batches;
  }

  /** The forward pass's rate at batch {@code b}, after a third as long of warm-up. */
  private static double forwardRate(VaeModel model, MnistDataset test, int b, double seconds) {
    float[][] batches = batches(test, b);
    timeScoring(model, batches, b, seconds / 3);
    long[] done = timeScoring(model, batches, b, seconds);
    return done[0] * (double) b / Figures.seconds(done[1]);
  }

  /** Scores the batches round-robin for {@code seconds}; {passes, nanos}. */
  private static long[] timeScoring(VaeModel model, float[][] batches, int b, double seconds) {
    long budget = (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    long passes = 0;
    long elapsed;
    do {
      model.score(batches[(int) (passes % batches.length)], b, false);
      passes++;
      elapsed = System.nanoTime() - t0;
    } while (elapsed < budget);
    return new long[] {passes, elapsed};
  }

  static void stream(BenchContext ctx) throws Exception {
    LocalKafka kafka = ctx.kafka();
    String bootstrap = kafka.bootstrapServers();
    int images = ctx.settings.streamImages();
    boolean stats = ctx.settings.scorerStats();
    // The first images meet a cold JIT (the broker's, the clients' and the scorer's code compile
    // while it runs: C2 took 40% of the machine in the first seconds): they are scored but not
    // timed. With the old default of 400,000 timed images (100,000 warming up) C2 still took
    // 0.5-0.75 of a core through the timed part, against 0.2-0.3 after 30 s: hence 1,200,000.
    int warmup = Math.max(20_000, images / 4);
    Names n = Names.create(ctx, "stream", STREAM_PARTITIONS);
    BenchKafka.preload(bootstrap, n.input(), ctx.train(), warmup + images);
    BenchKafka.publishCheckpoint(bootstrap, n.checkpoints(), 0, ctx.checkpoint());

    double scorerSeconds;
    double startupSeconds;
    double meanBatch;
    long transactions;
    double commitSecondsAtWarm = Double.NaN;
    double commitShare;
    double timedImages;
    double coldRate;
    ScorerSettings settings = scorerSettings(ctx, n, stats);
    // The reference: the forward pass alone at the scorer's batch size, in this run, just before
    // the scorer and again just after it (the mean of both: this machine's speed drifts).
    VaeModel reference = ctx.checkpoint().toModel();
    double forwardBefore = forwardRate(reference, ctx.test(), settings.maxBatch(), 3);
    System.err.printf(
        Locale.ROOT,
        "bench: score_stream: forward pass alone at batch %d: %.0f images/s%n",
        settings.maxBatch(),
        forwardBefore);
    long start = System.nanoTime();
    try (ScorerService scorer = ScorerService.start(settings)) {
      awaitReady(scorer);
      long ready = System.nanoTime();
      Counter scored = scorer.registry().find("vae.scorer.images").counter();
      long nextLog = ready + 5_000_000_000L;
      long deadline = ready + 600_000_000_000L;
      long warm = 0;
      double warmCount = 0;
      Timer commitTimer = scorer.registry().find("vae.scorer.commit").timer();
      int total = warmup + images;
      while (scored.count() < total) {
        long now = System.nanoTime();
        if (warm == 0 && scored.count() >= warmup) {
          warm = now;
          warmCount = scored.count();
          commitSecondsAtWarm =
              commitTimer == null ? Double.NaN : commitTimer.totalTime(TimeUnit.SECONDS);
        }
        if (now > nextLog) {
          System.err.printf(
              Locale.ROOT,
              "bench: score_stream: %.0f of %d scored (the first %d warm up)%n",
              scored.count(),
              total,
              warmup);
          nextLog += 5_000_000_000L;
        }
        if (now > deadline) {
          throw new IllegalStateException("scorer did not finish within 10 minutes");
        }
        Thread.sleep(1);
      }
      long end = System.nanoTime();
      scorerSeconds = Figures.seconds(end - warm);
      timedImages = total - warmCount;
      coldRate = total / Figures.seconds(end - ready);
      startupSeconds = Figures.seconds(ready - start);
      DistributionSummary batches = scorer.registry().find("vae.scorer.batch.size").summary();
      meanBatch = batches == null ? Double.NaN : batches.mean();
      Timer commits = scorer.registry().find("vae.scorer.commit").timer();
      transactions = commits == null ? -1 : commits.count();
      commitShare =
          commits == null
              ? Double.NaN
              : (commits.totalTime(TimeUnit.SECONDS) - commitSecondsAtWarm) / scorerSeconds;
    }
    double scorerRate = timedImages / scorerSeconds;
    double forwardAfter = forwardRate(reference, ctx.test(), settings.maxBatch(), 3);
    double forwardRate = (forwardBefore + forwardAfter) / 2;
    System.err.printf(
        Locale.ROOT, "bench: score_stream: scorer %.0f images/s; now the ceiling%n", scorerRate);

    // The ceiling passes over the same records (a new group each time) until it has run at least
    // 3 s, so that its figure is not one short burst. They share one output topic, created once.
    String ceilingOut = ctx.unique("ceiling-out");
    kafka.createTopic(ceilingOut, STREAM_PARTITIONS);
    long ceilingImages = 0;
    double ceilingSeconds = 0;
    int passes = 0;
    while (passes < 5 && (passes == 0 || ceilingSeconds < 3)) {
      KafkaCeiling.Result pass =
          KafkaCeiling.run(
              settings, ceilingOut, ctx.unique("ceiling-group"), ctx.unique("ceiling-tx"), images);
      ceilingImages += pass.images();
      ceilingSeconds += pass.seconds();
      passes++;
      System.err.printf(
          Locale.ROOT,
          "bench: score_stream: ceiling pass %d: %.0f images/s%n",
          passes,
          pass.imagesPerSec());
    }
    double ceilingRate = ceilingImages / ceilingSeconds;
    double ratio = scorerRate / ceilingRate;
    double forwardRatio = scorerRate / forwardRate;

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "score_stream");
    line.put("images", Math.round(timedImages));
    line.put("seconds", Figures.round(scorerSeconds, 2));
    line.put("images_per_sec", Figures.rate(scorerRate));
    line.put("warmup_images", warmup);
    line.put("images_per_sec_from_cold", Figures.rate(coldRate));
    line.put("forward_images_per_sec", Figures.rate(forwardRate));
    line.put("forward_before_images_per_sec", Figures.rate(forwardBefore));
    line.put("forward_after_images_per_sec", Figures.rate(forwardAfter));
    line.put("ratio_to_forward", Figures.round(forwardRatio, 3));
    line.put("ceiling_images_per_sec", Figures.rate(ceilingRate));
    line.put("ceiling_seconds", Figures.round(ceilingSeconds, 2));
    line.put("ceiling_passes", passes);
    line.put("ratio", Figures.round(ratio, 3));
    line.put("startup_seconds", Figures.round(startupSeconds, 2));
    line.put("mean_batch", Figures.round(meanBatch, 1));
    line.put("transactions", transactions);
    line.put("partitions", STREAM_PARTITIONS);
    line.put("max_batch", settings.maxBatch());
    line.put("commit_interval_ms", settings.commitInterval().toMillis());
    // The scoring thread's time in commitTransaction and sendOffsetsToTransaction, as a share of
    // the timed run: time it waits for the broker instead of scoring.
    line.put("commit_share", Figures.round(commitShare, 3));
    line.put("stats", stats);
    line.put("pipelined", ctx.settings.scorerPipeline());
    line.put("exactly_once", true);
    line.put("target", Figures.target("ratio_to_forward", TARGET_FORWARD_RATIO));
    line.put("meets_target", forwardRatio >= TARGET_FORWARD_RATIO);
    ctx.emit(line);
  }

  /** Waits up to two minutes for the scorer to have a model and consume. */
  static void awaitReady(ScorerService scorer) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!scorer.health().ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("scorer not ready: " + scorer.health().health());
      }
      Thread.sleep(2);
    }
  }

  /**
   * The scorer as {@code vae-stream scorer} runs it by default, on this run's topics: the scorer's
   * own flag parsing with an empty environment, so nothing of this machine's ({@code KAFKA_*},
   * {@code HOSTNAME}) leaks in. The flags whose defaults picocli reads from the environment ({@code
   * --checkpoint-hmac-key}, {@code --http-host}) are given explicitly.
   */
  static ScorerSettings scorerSettings(BenchContext ctx, Names n, boolean stats)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers", ctx.kafka().bootstrapServers(),
                "--instance-id", "bench",
                "--group-id", n.group(),
                "--input-topic", n.input(),
                "--scores-topic", n.scores(),
                "--dlq-topic", n.dlq(),
                "--checkpoint-topic", n.checkpoints(),
                "--stats-topic", n.stats(),
                "--checkpoint-hmac-key", "",
                "--http-host", "127.0.0.1",
                "--http-port", "-1"));
    if (stats) {
      Path stateDir = ctx.tempDir().resolve(Path.of("streams-state", n.group()));
      args.addAll(List.of("--stats-state-dir", stateDir.toString()));
    } else {
      args.add("--no-stats");
    }
    if (!ctx.settings.scorerPipeline()) {
      args.add("--no-pipeline");
    }
    ScorerCommand command = new ScorerCommand();
    ErrorReporting.commandLine(command).parseArgs(args.toArray(String[]::new));
    return command.settings(Map.of());
  }

  /** One benchmark's scorer topics and group; the input and checkpoint topics are created. */
  record Names(
      String input, String scores, String dlq, String checkpoints, String stats, String group) {
    static Names create(BenchContext ctx, String what, int partitions) {
      Names n =
          new Names(
              ctx.unique(what + "-images"),
              ctx.unique(what + "-scores"),
              ctx.unique(what + "-dlq"),
              ctx.unique(what + "-checkpoints"),
              ctx.unique(what + "-stats"),
              ctx.unique(what + "-scorer"));
      LocalKafka kafka = ctx.kafka();
      kafka.createTopic(n.input, partitions);
      kafka.createTopic(n.checkpoints, 1, dev.vaestream.core.kafka.CheckpointTopic.topicConfigs());
      return n;
    }
  }
}
