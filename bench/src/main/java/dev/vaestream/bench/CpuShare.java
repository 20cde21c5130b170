package dev.vaestream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of the machine's CPU other processes used over an interval, from {@code /proc/stat} (the
 * machine's busy time) minus {@code /proc/self/stat} (this JVM and its reaped children).
 */
final class CpuShare {
  private CpuShare() {}

  /** Busy ticks of the machine and of this process, and when they were read. */
  record Sample(long machineBusy, long machineTotal, long own, long nanos) {}

  /** Now; null where /proc is not available. */
  static Sample sample() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long user = Long.parseLong(cpu[1]);
      long nice = Long.parseLong(cpu[2]);
      long system = Long.parseLong(cpu[3]);
      long idle = Long.parseLong(cpu[4]);
      long iowait = Long.parseLong(cpu[5]);
      long irq = Long.parseLong(cpu[6]);
      long softirq = Long.parseLong(cpu[7]);
      long steal = cpu.length > 8 ? Long.parseLong(cpu[8]) : 0;
      long busy = user + nice + system + irq + softirq + steal;
      String self = Files.readString(Path.of("/proc/self/stat"));
      String[] f = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
      // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14.
      long own =
          Long.parseLong(f[11])
              + Long.parseLong(f[12])
              + Long.parseLong(f[13])
              + Long.parseLong(f[14]);
      return new Sample(busy, busy + idle + iowait, own, System.nanoTime());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The share of all CPU time between the samples that others used; NaN when unknown. */
  static double otherShare(Sample before, Sample after) {
    if (before == null || after == null) {
      return Double.NaN;
    }
    long total = after.machineTotal() - before.machineTotal();
    if (total <= 0) {
      return Double.NaN;
    }
    long others = (after.machineBusy() - before.machineBusy()) - (after.own() - before.own());
    return Math.max(0, (double) others / total);
  }
}
