package dev.vaestream.app.chaos;

import dev.vaestream.core.metrics.MetricsScrape;
import dev.vaestream.core.metrics.ProcStatus;
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
        long hwmKb = ProcStatus.of(pid).peakRssKib();
        if (hwmKb > 0) {
          peakRssMb.merge(s.name(), hwmKb / 1024, Math::max);
        }
      }
      Map<String, Double> m =
          MetricsScrape.scrape("127.0.0.1", s.httpPort(), Duration.ofSeconds(1));
      double heap = MetricsScrape.heapUsedBytes(m);
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
}
