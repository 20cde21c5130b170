package dev.vaestream.bench;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.trainer.TrainerCommand;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.AllocationsTracker;
import org.nd4j.linalg.api.memory.enums.AllocationKind;

/**
 * Main class of the footprint benchmark's child JVMs: runs one service's command exactly as {@code
 * vae-stream <service>} does, plus a daemon thread that appends a memory sample every 250 ms to the
 * file named by {@code -Dvae.bench.probe=FILE}:
 *
 * <pre>
 * epoch_ms heap_used heap_committed nonheap_used direct_buffers javacpp_total javacpp_physical
 *   nd4j_general nd4j_workspace rss
 * </pre>
 *
 * (bytes, one line per sample). {@code javacpp_total} is what JavaCPP's deallocators track ({@code
 * Pointer.totalBytes()}), {@code javacpp_physical} the process's physical memory as JavaCPP reads
 * it, {@code nd4j_*} ND4J's own off-heap accounting ({@code AllocationsTracker}: general arrays and
 * workspaces); those four are -1 for the producer, which does not load ND4J. {@code rss} is the
 * process's resident set ({@code VmRSS}), so that RSS minus the JVM's heap and non-heap estimates
 * the native memory (ND4J's arrays, which neither JavaCPP nor ND4J count on CPU, thread stacks,
 * malloc arenas).
 */
public final class ServiceProbe {
  static final String PROPERTY = "vae.bench.probe";
  private static final long INTERVAL_MS = 250;

  private ServiceProbe() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: ServiceProbe producer|trainer|scorer [flags...]");
      System.exit(2);
    }
    String service = args[0];
    String[] flags = Arrays.copyOfRange(args, 1, args.length);
    Object command =
        switch (service) {
          case "producer" -> new ProducerCommand();
          case "trainer" -> new TrainerCommand();
          case "scorer" -> new ScorerCommand();
          default -> throw new IllegalArgumentException("unknown service " + service);
        };
    boolean nd4j = !service.equals("producer");
    if (nd4j) {
      // The service would load ND4J a moment later anyway; loading it first lets the sampler read
      // JavaCPP's counters without racing the native library's initialisation.
      Nd4jRuntime.configure();
    }
    String file = System.getProperty(PROPERTY);
    if (file != null) {
      Thread sampler = new Thread(() -> sample(Path.of(file), nd4j), "bench-probe");
      sampler.setDaemon(true);
      sampler.start();
    }
    System.exit(ErrorReporting.commandLine(command).execute(flags));
  }

  /** ND4J's count of off-heap bytes of one kind on this (CPU) device. */
  private static long tracked(AllocationKind kind) {
    return AllocationsTracker.getInstance().bytesOnDevice(kind, 0);
  }

  private static void sample(Path file, boolean nd4j) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct"))
            .findFirst()
            .orElse(null);
    try (BufferedWriter w =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      while (true) {
        var heap = memory.getHeapMemoryUsage();
        w.write(
            String.format(
                Locale.ROOT,
                "%d %d %d %d %d %d %d %d %d %d%n",
                System.currentTimeMillis(),
                heap.getUsed(),
                heap.getCommitted(),
                memory.getNonHeapMemoryUsage().getUsed(),
                direct == null ? -1 : direct.getMemoryUsed(),
                nd4j ? Pointer.totalBytes() : -1,
                nd4j ? Pointer.physicalBytes() : -1,
                nd4j ? tracked(AllocationKind.GENERAL) : -1,
                nd4j ? tracked(AllocationKind.WORKSPACE) : -1,
                FootprintBenchmark.procStatus(ProcessHandle.current().pid())[0]));
        w.flush();
        Thread.sleep(INTERVAL_MS);
      }
    } catch (IOException e) {
      System.err.println("bench probe: cannot write " + file + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
