package dev.vaestream.core.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's memory figures from {@code /proc/<pid>/status} (Linux): resident set size
 * ({@code VmRSS}) and its peak ({@code VmHWM}, which the kernel keeps for the life of the process,
 * so samples taken now and then miss nothing of it).
 */
public final class ProcStatus {
  private ProcStatus() {}

  /**
   * Field {@code name} (e.g. {@code VmHWM}) in KiB, or -1 when the process is gone or not Linux.
   */
  public static long kib(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(name + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
