package dev.vaestream.testsupport;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The project's metric rules, checkable on any registry: every meter of ours ({@code vae.*}) has a
 * lowercase dotted name without a unit or {@code total} in it, a description and a base unit
 * (Prometheus appends the unit, and {@code _total} to counters, itself).
 */
public final class MeterConventions {
  private static final Pattern NAME = Pattern.compile("vae(\\.[a-z0-9]+)+");
  private static final Pattern UNIT_WORD =
      Pattern.compile(
          "\\.(total|seconds|second|ms|millis|milliseconds|bytes|mse|percent|ratio)(\\.|$)");

  private MeterConventions() {}

  /** One line per rule broken by a {@code vae.*} meter of {@code registry}; empty when none. */
  public static List<String> violations(MeterRegistry registry) {
    List<String> out = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      Meter.Id id = m.getId();
      String name = id.getName();
      if (!name.startsWith("vae.")) {
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        out.add(name + ": not a lowercase dotted name");
      }
      // A count of the unit itself (vae.producer.bytes in bytes) is a quantity, not a unit suffix.
      boolean countOfUnit = name.endsWith("." + id.getBaseUnit());
      if (UNIT_WORD.matcher(name).find() && !countOfUnit) {
        out.add(name + ": a unit or 'total' in the name (use the base unit)");
      }
      if (id.getDescription() == null || id.getDescription().isBlank()) {
        out.add(name + ": no description");
      }
      if (id.getBaseUnit() == null || id.getBaseUnit().isBlank()) {
        out.add(name + ": no base unit");
      }
    }
    return out;
  }

  /** The names of the {@code vae.*} meters in {@code registry}. */
  public static List<String> ourMeters(MeterRegistry registry) {
    return registry.getMeters().stream()
        .map(m -> m.getId().getName())
        .filter(n -> n.startsWith("vae."))
        .toList();
  }
}
