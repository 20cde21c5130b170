package dev.vaestream.app.chaos;

import dev.vaestream.core.metrics.MetricsScrape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peak memory of each service over all its incarnations: used heap from the service's own JVM
 * metrics, and peak resident set size ({@code VmHWM} in {@code /proc/<pid>/status}, which the
 * kernel keeps for the life of the process, so samples between kills miss nothing of it).
 */
final class ResourceWatch {
  private static final long MIB = 1024 * 1024;
  private final Map<String, Long> peakHeapMb = new TreeMap<>();
  private final Map<String, Long> peakRssMb = new TreeMap<>();

  synchronized void sample(List<SupervisedService> services) {
    for (SupervisedService s : services) {
      long pid = s.pid();
      if (pid > 0) {
        long hwmKb = vmHwmKb(pid);
        if (hwmKb > 0) {
          peakRssMb.merge(s.name(), hwmKb / 1024, Math::max);
        }
      }
      Map<String, Double> m =
          MetricsScrape.scrape("127.0.0.1", s.httpPort(), Duration.ofSeconds(1));
      double heap =
          m.entrySet().stream()
              .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{"))
              .filter(e -> e.getKey().contains("area=\"heap\""))
              .mapToDouble(Map.Entry::getValue)
              .sum();
      if (heap > 0) {
        peakHeapMb.merge(s.name(), Math.round(heap / MIB), Math::max);
      }
    }
  }

  synchronized Map<String, Long> peakHeapMb() {
    return Map.copyOf(peakHeapMb);
  }

  synchronized Map<String, Long> peakRssMb() {
    return Map.copyOf(peakRssMb);
  }

  /** Peak resident set size of a process in KiB, or -1 when it is gone or not on Linux. */
  static long vmHwmKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
