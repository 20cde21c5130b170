package dev.vaestream.core.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's memory from {@code /proc/<pid>/status} (Linux): resident set size ({@code VmRSS}) and
 * its peak ({@code VmHWM}, which the kernel keeps for the life of the process, so samples taken now
 * and then miss nothing of it).
 *
 * @param rssKib resident set size in KiB, -1 when unknown (process gone, not Linux)
 * @param peakRssKib peak resident set size in KiB, -1 when unknown
 */
public record ProcStatus(long rssKib, long peakRssKib) {
  /** The memory of process {@code pid} now. */
  public static ProcStatus of(long pid) {
    long rss = -1;
    long peak = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          peak = kib(line);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return new ProcStatus(-1, -1);
    }
    return new ProcStatus(rss, peak);
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
