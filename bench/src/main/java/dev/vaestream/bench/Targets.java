package dev.vaestream.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The targets summary printed on standard error after the suite. */
final class Targets {
  private Targets() {}

  static void summary(List<Map<String, Object>> lines, PrintStream err) {
    if (lines.isEmpty()) {
      return;
    }
    err.println("bench: targets");
    for (Map<String, Object> line : lines) {
      Object name = line.get("name");
      if (line.containsKey("error")) {
        err.printf(Locale.ROOT, "  %-14s FAILED  %s%n", name, line.get("error"));
      } else if (line.containsKey("meets_target")) {
        Object meets = line.get("meets_target");
        String verdict = Boolean.TRUE.equals(meets) ? "met" : meets == null ? "n/a" : "MISSED";
        // drift's line carries several targets under "targets" (its JSON shape is a contract).
        Object target = line.containsKey("target") ? line.get("target") : line.get("targets");
        err.printf(Locale.ROOT, "  %-14s %-7s target %s%n", name, verdict, target);
      } else {
        err.printf(Locale.ROOT, "  %-14s (no target)%n", name);
      }
    }
  }
}
