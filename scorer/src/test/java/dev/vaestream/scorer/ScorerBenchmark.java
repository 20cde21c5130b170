package dev.vaestream.scorer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.testsupport.EmbeddedKafka;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Scorer benchmarks against a single in-JVM broker; prints one JSON line on stdout.
 *
 * <ul>
 *   <li>{@code throughput [images=300000] [partitions=2] [stats|no-stats]}: preloads the images,
 *       publishes a checkpoint, starts the scorer and times it from ready (model loaded, consuming)
 *       until every image's score is committed: {@code {"name":"score_stream","images":...,
 *       "seconds":...,"images_per_sec":...}}.
 *   <li>{@code latency [rate=1000] [seconds=20] [partitions=2] [stats|no-stats]}: offers images at
 *       a fixed rate to a running scorer and reports the produced-to-scored latency percentiles of
 *       the score records ({@code score_latency}), leaving out the first 5 s (cold JIT), which are
 *       reported as {@code warmup_p99_ms}.
 * </ul>
 *
 * <p>Run with the test classpath, e.g. {@code java -Xmx2g -cp "$(cat cp.txt):scorer/target/classes:
 * scorer/target/test-classes" dev.vaestream.scorer.ScorerBenchmark throughput 300000}.
 */
public final class ScorerBenchmark {
  private static final int WARMUP_SECONDS = 5;

  private ScorerBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "throughput";
    boolean stats = !Arrays.asList(args).contains("no-stats");
    List<String> numbers = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].matches("\\d+")) {
        numbers.add(args[i]);
      }
    }
    Map<String, Object> result;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      if (mode.equals("latency")) {
        int rate = number(numbers, 0, 1000);
        int seconds = number(numbers, 1, 20);
        int partitions = number(numbers, 2, 2);
        result = latency(kafka, rate, seconds, partitions, stats);
      } else {
        int images = number(numbers, 0, 300_000);
        int partitions = number(numbers, 1, 2);
        result = throughput(kafka, images, partitions, stats);
      }
    }
    JsonLine.print(System.out, result);
    System.exit(0);
  }

  private static Map<String, Object> throughput(
      EmbeddedKafka kafka, int images, int partitions, boolean stats) throws Exception {
    ScorerFixture.Names n = setUp(kafka, partitions);
    long t0 = System.nanoTime();
    try (Producer<byte[], byte[]> producer = fastProducer(kafka)) {
      for (int i = 0; i < images; i++) {
        producer.send(ImageRecordCodec.toProducerRecord(n.input(), TestStreams.image(i)));
      }
    }
    double preloadSeconds = (System.nanoTime() - t0) / 1e9;
    System.err.printf("preloaded %d images in %.1f s%n", images, preloadSeconds);

    try (ScorerService scorer = start(kafka, n, stats)) {
      long startNanos = System.nanoTime();
      ScorerFixture.await(() -> scorer.health().ready(), "ready");
      long readyNanos = System.nanoTime();
      long cpuStart = processCpuNanos();
      Counter scored = scorer.registry().find("vae.scorer.images").counter();
      while (scored.count() < images) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - readyNanos) / 1e9;
      double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", "score_stream");
      out.put("images", images);
      out.put("seconds", round(seconds));
      out.put("images_per_sec", Math.round(images / seconds));
      out.put("startup_seconds", round((readyNanos - startNanos) / 1e9));
      // CPU of the whole JVM (scorer, statistics and broker) while scoring: what a busy shared
      // machine cannot distort. On 2 cores the rate can reach 2 / cpu_us_per_image million/s.
      out.put("cpu_seconds", round(cpuSeconds));
      out.put("cpu_us_per_image", round(cpuSeconds * 1e6 / images));
      out.put("partitions", partitions);
      out.put("stats", stats);
      out.putAll(Nd4jRuntime.facts());
      return out;
    }
  }

  private static Map<String, Object> latency(
      EmbeddedKafka kafka, int rate, int seconds, int partitions, boolean stats) throws Exception {
    ScorerFixture.Names n = setUp(kafka, partitions);
    int total = rate * seconds;
    try (ScorerService scorer = start(kafka, n, stats);
        Producer<byte[], byte[]> producer = TestStreams.producer(kafka.bootstrapServers())) {
      ScorerFixture.await(() -> scorer.health().ready(), "ready");
      // Offer the images evenly, in ticks of 10 ms.
      int perTick = Math.max(1, rate / 100);
      long tickNanos = 10_000_000L * perTick * 100 / rate;
      long next = System.nanoTime();
      for (int i = 0; i < total; i += perTick) {
        for (int k = i; k < Math.min(total, i + perTick); k++) {
          producer.send(ImageRecordCodec.toProducerRecord(n.input(), TestStreams.image(k)));
        }
        next += tickNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
      Counter scored = scorer.registry().find("vae.scorer.images").counter();
      while (scored.count() < total) {
        Thread.sleep(10);
      }
      var commit = scorer.registry().find("vae.scorer.commit").timer().takeSnapshot();
      System.err.println("commit: " + commit);
      var batch = scorer.registry().find("vae.scorer.batch.size").summary().takeSnapshot();
      System.err.println("batch: " + batch);
    }
    List<ConsumerRecord<byte[], byte[]>> records =
        TestStreams.readCommitted(
            kafka.bootstrapServers(), n.scores(), total, Duration.ofSeconds(60), Duration.ZERO);
    // The first images meet a cold JIT: report them separately from the steady state.
    int warmup = Math.min(total / 4, rate * WARMUP_SECONDS);
    List<Long> steady = new ArrayList<>();
    List<Long> cold = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      ScoreRecord s = ScoreRecord.fromJson(r.value());
      int index =
          Integer.parseInt(s.imageId().split(":")[1])
              + 10_000 * Integer.parseInt(s.imageId().split(":")[2]);
      (index < warmup ? cold : steady).add(s.latencyMs());
    }
    long[] latencies = steady.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] coldLatencies = cold.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", "score_latency");
    out.put("rate", rate);
    out.put("images", latencies.length);
    out.put("p50_ms", percentile(latencies, 0.5));
    out.put("p99_ms", percentile(latencies, 0.99));
    out.put("p999_ms", percentile(latencies, 0.999));
    out.put("max_ms", latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
    out.put("warmup_images", coldLatencies.length);
    out.put("warmup_p99_ms", percentile(coldLatencies, 0.99));
    out.put("partitions", partitions);
    out.put("stats", stats);
    return out;
  }

  private static ScorerFixture.Names setUp(EmbeddedKafka kafka, int partitions) throws Exception {
    ScorerFixture.Names n = ScorerFixture.Names.unique(kafka, partitions);
    Checkpoint checkpoint = TestCheckpoints.second();
    try (Producer<byte[], byte[]> p = TestCheckpoints.producer(kafka.bootstrapServers())) {
      TestCheckpoints.publish(
          p, n.checkpoints(), 0, checkpoint, CheckpointCodec.unsigned().encode(checkpoint));
    }
    return n;
  }

  private static ScorerService start(EmbeddedKafka kafka, ScorerFixture.Names n, boolean stats)
      throws Exception {
    if (!stats) {
      return ScorerFixture.start(kafka, n, "--no-stats");
    }
    Path state = Files.createTempDirectory("scorer-bench-state");
    return ScorerFixture.start(
        kafka,
        n,
        "--stats-state-dir",
        state.toString(),
        "--stats-application-id",
        "bench-stats-" + n.group());
  }

  private static Producer<byte[], byte[]> fastProducer(EmbeddedKafka kafka) {
    Map<String, Object> p = new HashMap<>(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, q * sorted.length)];
  }

  private static int number(List<String> numbers, int index, int fallback) {
    return index < numbers.size() ? Integer.parseInt(numbers.get(index)) : fallback;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
