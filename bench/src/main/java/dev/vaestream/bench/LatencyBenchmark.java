package dev.vaestream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * {@code latency}: produced-to-scored latency at offered rates. The real producer ({@code
 * ProducerCommand --rate R}, in a thread of this JVM) offers images to a running scorer ({@link
 * ScorerService}, exactly-once, statistics on); a read_committed reader follows {@code
 * anomaly.scores} live. Per rate: percentiles of each record's {@code latency_ms} (its {@code
 * scored_at - produced_at}), and of the time until the score was visible to a read_committed
 * consumer ({@code visible_*}: scoring plus the transaction commit and the fetch). The first second
 * of each rate (a new producer connecting) is left out; a 3 s run at 1,000 images/s before the
 * first rate warms the JIT and is not reported.
 */
final class LatencyBenchmark {
  static final int PARTITIONS = 3;
  static final double TARGET_P99_MS = 100;
  static final int TARGET_RATE = 1000;
  static final long SKIP_MS = 1000;

  private LatencyBenchmark() {}

  /** One score seen by the reader: produced_at, latency_ms, and when it became visible. */
  record Sample(long producedAt, long latencyMs, long visibleAt) {}

  static void run(BenchContext ctx) throws Exception {
    LocalKafka kafka = ctx.kafka();
    String bootstrap = kafka.bootstrapServers();
    boolean stats = ctx.settings.scorerStats();
    int seconds = ctx.settings.latencySeconds();
    ScoreBenchmarks.Names n = ScoreBenchmarks.Names.create(ctx, "latency", PARTITIONS);
    BenchKafka.publishCheckpoint(bootstrap, n.checkpoints(), 0, ctx.checkpoint());

    Map<String, Object> at = new LinkedHashMap<>();
    Double p99AtTarget = null;
    try (ScorerService scorer =
        ScorerService.start(ScoreBenchmarks.scorerSettings(ctx, n, stats))) {
      ScoreBenchmarks.awaitReady(scorer);
      Reader reader = new Reader(bootstrap, n.scores());
      Thread readerThread = new Thread(reader, "bench-latency-reader");
      readerThread.start();
      try {
        System.err.println("bench: latency: warm-up, 3 s at 1000 images/s");
        offer(bootstrap, n.input(), 1000, 3000);
        reader.awaitCount(3000, Duration.ofSeconds(60));
        for (int rate : ctx.settings.latencyRates()) {
          int total = rate * seconds;
          int before = reader.count();
          long startMs = System.currentTimeMillis();
          System.err.printf(Locale.ROOT, "bench: latency: %d images/s for %d s%n", rate, seconds);
          double offered = offer(bootstrap, n.input(), rate, total);
          boolean complete = reader.awaitCount(before + total, Duration.ofSeconds(60));
          List<Sample> samples = reader.since(before);
          List<Sample> steady = new ArrayList<>();
          for (Sample s : samples) {
            if (s.producedAt() >= startMs + SKIP_MS) {
              steady.add(s);
            }
          }
          double[] latency = new double[steady.size()];
          double[] visible = new double[steady.size()];
          for (int i = 0; i < steady.size(); i++) {
            latency[i] = steady.get(i).latencyMs();
            visible[i] = steady.get(i).visibleAt() - steady.get(i).producedAt();
          }
          Map<String, Object> figures = new LinkedHashMap<>();
          figures.putAll(Figures.latencyPercentiles("", latency));
          figures.putAll(Figures.latencyPercentiles("visible_", visible));
          figures.put("offered_images_per_sec", Figures.round(offered, 1));
          figures.put("images", total);
          figures.put("samples", steady.size());
          figures.put("complete", complete);
          at.put(Integer.toString(rate), figures);
          System.err.printf(Locale.ROOT, "bench: latency: %d images/s: %s%n", rate, figures);
          if (rate == TARGET_RATE) {
            p99AtTarget = (Double) figures.get("p99_ms");
          }
        }
      } finally {
        reader.stop();
        readerThread.join(10_000);
      }
    }

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "latency");
    line.put("at", at);
    line.put("seconds_per_rate", seconds);
    line.put("skipped_ms_per_rate", SKIP_MS);
    line.put("partitions", PARTITIONS);
    line.put("stats", stats);
    line.put("pipelined", ctx.settings.scorerPipeline());
    line.put("exactly_once", true);
    line.put("target", Figures.target("p99_ms_at_1000", TARGET_P99_MS));
    line.put("meets_target", p99AtTarget == null ? null : p99AtTarget <= TARGET_P99_MS);
    ctx.emit(line);
  }

  /**
   * Runs {@code vae-stream producer --rate R --limit N} to completion; its measured images/s. Its
   * JSON result line is captured, not printed.
   */
  static double offer(String bootstrap, String topic, int rate, int images) throws IOException {
    StringWriter out = new StringWriter();
    var cli = ErrorReporting.commandLine(new ProducerCommand());
    cli.setOut(new PrintWriter(out, true));
    int code =
        cli.execute(
            "--bootstrap-servers",
            bootstrap,
            "--input-topic",
            topic,
            "--split",
            "train",
            "--loop",
            "--shuffle",
            "--rate",
            Integer.toString(rate),
            "--limit",
            Integer.toString(images),
            "--partitions",
            Integer.toString(PARTITIONS),
            "--http-port",
            "-1");
    if (code != 0) {
      throw new IllegalStateException("producer exited with " + code + ": " + out);
    }
    String[] lines = out.toString().strip().split("\n");
    JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);
    return result.path("images_per_sec").asDouble(Double.NaN);
  }

  /** Follows the scores topic from the beginning, read_committed, noting when each score shows. */
  static final class Reader implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Sample> samples = new ArrayList<>();

    Reader(String bootstrap, String topic) {
      this.consumer = BenchKafka.committedReader(bootstrap, "bench-latency-reader");
      this.topic = topic;
    }

    @Override
    public void run() {
      try {
        List<TopicPartition> partitions = BenchKafka.partitions(consumer, topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        while (running.get()) {
          var records = consumer.poll(Duration.ofMillis(100));
          long now = System.currentTimeMillis();
          List<Sample> batch = new ArrayList<>(records.count());
          for (ConsumerRecord<byte[], byte[]> r : records) {
            ScoreRecord score = ScoreRecordCodec.decode(r.value());
            batch.add(new Sample(score.producedAt(), score.latencyMs(), now));
          }
          synchronized (samples) {
            samples.addAll(batch);
            samples.notifyAll();
          }
        }
      } catch (WakeupException e) {
        // stop()
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("unreadable score record", e);
      } finally {
        consumer.close(Duration.ofSeconds(5));
      }
    }

    int count() {
      synchronized (samples) {
        return samples.size();
      }
    }

    List<Sample> since(int index) {
      synchronized (samples) {
        return new ArrayList<>(samples.subList(Math.min(index, samples.size()), samples.size()));
      }
    }

    /** Waits until {@code n} scores were seen; false on timeout. */
    boolean awaitCount(int n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (samples) {
        while (samples.size() < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          samples.wait(Math.max(1, left / 1_000_000));
        }
      }
      return true;
    }

    void stop() {
      running.set(false);
      consumer.wakeup();
    }
  }
}
