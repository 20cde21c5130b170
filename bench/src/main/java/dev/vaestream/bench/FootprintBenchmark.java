package dev.vaestream.bench;

import dev.vaestream.core.metrics.MetricsScrape;
import dev.vaestream.core.metrics.ProcStatus;
import dev.vaestream.core.process.ChildJvm;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.localkafka.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code footprint}: memory of each service of the pipeline. The producer ({@code --rate 1000
 * --loop --shuffle --anomaly-rate 0.01}), the trainer (checkpoint every 100 steps) and the scorer
 * (statistics on) run as child JVMs with {@code -Xmx512m}, as the demo runs them, against this
 * JVM's broker, for {@code --footprint-seconds}. Each child runs through {@link ServiceProbe},
 * which samples its heap (JMX), direct buffers and ND4J's off-heap memory (JavaCPP's {@code
 * Pointer.totalBytes()}); the peak RSS is the kernel's {@code VmHWM}. The services' own {@code
 * /metrics} give the heap a second time and show that each was working.
 */
final class FootprintBenchmark {
  static final String HEAP = "512m";
  static final long HEAP_BYTES = 512L * 1024 * 1024;
  private static final List<String> SERVICES = List.of("producer", "trainer", "scorer");

  private FootprintBenchmark() {}

  /** One child JVM and where its samples and log go. */
  record Child(String service, Process process, Path probe, Path log, int port) {}

  static void run(BenchContext ctx) throws Exception {
    String bootstrap = ctx.kafka().bootstrapServers();
    Path dir = ctx.tempDir().resolve("footprint");
    Files.createDirectories(dir);
    // Every topic created up front, as the demo does: the trainer and the scorer would otherwise
    // race to create the dead-letter topic they share.
    ScoreBenchmarks.Names n = ScoreBenchmarks.Names.create(ctx, "fp", 1);
    LocalKafka kafka = ctx.kafka();
    for (String topic : List.of(n.dlq(), n.scores(), n.stats())) {
      kafka.createTopic(topic, 1);
    }
    Map<String, List<String>> flags = new LinkedHashMap<>();
    flags.put(
        "producer",
        List.of(
            "--bootstrap-servers",
            bootstrap,
            "--input-topic",
            n.input(),
            "--loop",
            "--shuffle",
            "--rate",
            Integer.toString(ctx.settings.footprintRate()),
            "--anomaly-rate",
            "0.01",
            "--partitions",
            "1"));
    flags.put(
        "trainer",
        List.of(
            "--bootstrap-servers",
            bootstrap,
            "--input-topic",
            n.input(),
            "--checkpoint-topic",
            n.checkpoints(),
            "--dlq-topic",
            n.dlq(),
            "--group-id",
            ctx.unique("fp-trainer"),
            "--transactional-id",
            ctx.unique("fp-trainer-tx"),
            "--checkpoint-every",
            "100",
            "--checkpoint-interval",
            "10"));
    flags.put(
        "scorer",
        List.of(
            "--bootstrap-servers", bootstrap,
            "--input-topic", n.input(),
            "--scores-topic", n.scores(),
            "--dlq-topic", n.dlq(),
            "--checkpoint-topic", n.checkpoints(),
            "--stats-topic", n.stats(),
            "--group-id", n.group(),
            "--instance-id", "bench",
            "--stats-state-dir", dir.resolve("scorer-state").toString()));

    List<Child> children = new ArrayList<>();
    Map<String, long[]> rss = new LinkedHashMap<>();
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    Map<String, Boolean> aliveAtEnd = new LinkedHashMap<>();
    try {
      for (String service : SERVICES) {
        children.add(start(service, flags.get(service), dir));
        rss.put(service, new long[] {0, 0});
      }
      int seconds = ctx.settings.footprintSeconds();
      System.err.printf(
          Locale.ROOT,
          "bench: footprint: producer, trainer, scorer running as -Xmx%s JVMs for %d s (logs in"
              + " %s)%n",
          HEAP,
          seconds,
          dir);
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long nextLog = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < end) {
        for (Child c : children) {
          if (c.process().isAlive()) {
            sampleRss(c, rss.get(c.service()));
          }
        }
        if (System.nanoTime() > nextLog) {
          System.err.printf(Locale.ROOT, "bench: footprint: %s%n", work(children));
          nextLog += 10_000_000_000L;
        }
        Thread.sleep(500);
      }
      for (Child c : children) {
        aliveAtEnd.put(c.service(), c.process().isAlive());
        metrics.put(c.service(), BenchKafka.scrape(c.port()));
        sampleRss(c, rss.get(c.service()));
      }
    } finally {
      for (int i = children.size() - 1; i >= 0; i--) {
        stop(children.get(i));
      }
    }

    Map<String, Object> services = new LinkedHashMap<>();
    boolean allWithin = true;
    for (Child c : children) {
      Map<String, Object> s = new LinkedHashMap<>();
      long[] peaks = probePeaks(c.probe());
      String log = Files.exists(c.log()) ? Files.readString(c.log()) : "";
      boolean oom = log.contains("OutOfMemoryError");
      boolean alive = aliveAtEnd.getOrDefault(c.service(), false);
      s.put("xmx", HEAP);
      s.put("peak_heap_used_bytes", peaks[0]);
      s.put("peak_heap_committed_bytes", peaks[1]);
      s.put("peak_nonheap_used_bytes", peaks[2]);
      s.put("peak_direct_buffer_bytes", peaks[3]);
      s.put("peak_offheap_javacpp_bytes", peaks[4] < 0 ? null : peaks[4]);
      s.put("peak_javacpp_physical_bytes", peaks[5] < 0 ? null : peaks[5]);
      s.put("peak_offheap_nd4j_bytes", peaks[6] < 0 ? null : peaks[6]);
      s.put("peak_offheap_nd4j_workspace_bytes", peaks[7] < 0 ? null : peaks[7]);
      s.put("peak_native_estimate_bytes", peaks[10]);
      s.put("peak_rss_bytes", Math.max(rss.get(c.service())[1], peaks[9]));
      s.put("rss_bytes_at_end", rss.get(c.service())[0]);
      Map<String, Double> m = metrics.getOrDefault(c.service(), Map.of());
      s.put("heap_used_bytes_metrics_at_end", Math.round(MetricsScrape.heapUsedBytes(m)));
      s.put("work", work(c.service(), m));
      s.put("samples", peaks[8]);
      s.put("alive_until_end", alive);
      s.put("exit_code", c.process().isAlive() ? null : c.process().exitValue());
      s.put("oom", oom);
      boolean within = alive && !oom && peaks[8] > 0 && peaks[0] <= HEAP_BYTES;
      s.put("within_heap", within);
      allWithin &= within;
      services.put(c.service(), s);
    }

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "footprint");
    line.put("services", services);
    line.put("seconds", ctx.settings.footprintSeconds());
    line.put("producer_rate", ctx.settings.footprintRate());
    line.put("target", Figures.target("heap", "-Xmx" + HEAP));
    line.put("meets_target", allWithin);
    ctx.emit(line);
  }

  private static Child start(String service, List<String> flags, Path dir) throws IOException {
    int port = LoopbackPorts.free();
    Path probe = dir.resolve(service + ".probe");
    Path log = dir.resolve(service + ".log");
    Files.deleteIfExists(probe);
    Process p =
        ChildJvm.of(ServiceProbe.class.getName())
            .heap(HEAP)
            .jvmOptions("-D" + ServiceProbe.PROPERTY + "=" + probe)
            .args(service)
            .args(flags)
            .args("--http-host", "127.0.0.1", "--http-port", Integer.toString(port))
            .logTo(log)
            .start();
    System.err.printf(Locale.ROOT, "bench: footprint: started %s (pid %d)%n", service, p.pid());
    return new Child(service, p, probe, log, port);
  }

  /** SIGTERM (each service stops cleanly on it), SIGKILL after 60 s. */
  private static void stop(Child c) throws InterruptedException {
    Process p = c.process();
    if (p.isAlive()) {
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Raises {@code peaks} ({VmRSS, VmHWM}) to the child's current values where they are higher. */
  private static void sampleRss(Child c, long[] peaks) {
    long[] status = procStatus(c.process().pid());
    peaks[0] = Math.max(peaks[0], status[0]);
    peaks[1] = Math.max(peaks[1], status[1]);
  }

  /** {VmRSS, VmHWM} of {@code pid} in bytes; zeros when unreadable. */
  /** {VmRSS, VmHWM} of {@code pid} in bytes; 0 once the process has exited. */
  static long[] procStatus(long pid) {
    ProcStatus status = ProcStatus.of(pid);
    return new long[] {
      Math.max(0, status.rssKib()) * 1024, Math.max(0, status.peakRssKib()) * 1024
    };
  }

  /**
   * Peaks of the probe's first eight columns, the number of samples, the peak RSS the child saw,
   * and the peak of RSS minus heap committed minus non-heap used.
   */
  private static long[] probePeaks(Path probe) throws IOException {
    long[] peaks = {0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0};
    if (!Files.exists(probe)) {
      return peaks;
    }
    for (String line : Files.readAllLines(probe)) {
      String[] f = line.trim().split(" ");
      if (f.length < 10) {
        continue; // a line cut short by the end of the process
      }
      long[] v = new long[9];
      for (int i = 0; i < 9; i++) {
        v[i] = Long.parseLong(f[i + 1]);
      }
      for (int i = 0; i < 8; i++) {
        peaks[i] = Math.max(peaks[i], v[i]);
      }
      peaks[8]++;
      peaks[9] = Math.max(peaks[9], v[8]);
      // RSS beyond the Java heap (committed) and non-heap: native memory, mostly ND4J's arrays.
      peaks[10] = Math.max(peaks[10], v[8] - v[1] - v[2]);
    }
    return peaks;
  }

  private static Map<String, Object> work(String service, Map<String, Double> m) {
    Map<String, Object> w = new LinkedHashMap<>();
    switch (service) {
      case "producer" -> w.put("images_sent", value(m, "vae_producer_images_total"));
      case "trainer" -> {
        w.put("steps", value(m, "vae_trainer_steps_total"));
        w.put("checkpoints", value(m, "vae_trainer_checkpoints_total"));
      }
      default -> {
        w.put("images_scored", value(m, "vae_scorer_images_total"));
        w.put("checkpoint_swaps", value(m, "vae_scorer_checkpoint_swaps_total"));
      }
    }
    return w;
  }

  private static String work(List<Child> children) {
    StringBuilder sb = new StringBuilder();
    for (Child c : children) {
      sb.append(c.service())
          .append(c.process().isAlive() ? " " : " (exited) ")
          .append(work(c.service(), BenchKafka.scrape(c.port())))
          .append("  ");
    }
    return sb.toString().trim();
  }

  private static Long value(Map<String, Double> m, String name) {
    Double v = m.get(name);
    return v == null ? null : Math.round(v);
  }
}
