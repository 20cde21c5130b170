package dev.vaestream.core.scenario;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The images of a scenario over one MNIST split, as a pure function of ({@code seed}, position):
 * which phase, which image of the allowed digits (drawn uniformly, with replacement), its
 * transform, and, on top, whether an anomaly replaces it. Random access, so a producer, a test and
 * the benchmark see the same stream, and skipping ahead changes nothing.
 */
public final class ScenarioImages {
  /** One image of the stream. */
  public record Item(
      long position, int index, byte[] pixels, int label, String phase, AnomalyKind anomaly) {}

  private final MnistDataset data;
  private final Scenario scenario;
  private final long seed;
  private final double anomalyRate;
  private final AnomalyKind[] kinds;
  private final int[][] byDigit = new int[10][];

  public ScenarioImages(
      MnistDataset data,
      Scenario scenario,
      long seed,
      double anomalyRate,
      List<AnomalyKind> anomalyKinds) {
    this.data = data;
    this.scenario = scenario;
    this.seed = seed;
    this.anomalyRate = anomalyRate;
    this.kinds = anomalyKinds.toArray(new AnomalyKind[0]);
    List<List<Integer>> lists = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      lists.add(new ArrayList<>());
    }
    for (int i = 0; i < data.size(); i++) {
      lists.get(data.label(i)).add(i);
    }
    for (int d = 0; d < 10; d++) {
      byDigit[d] = lists.get(d).stream().mapToInt(Integer::intValue).toArray();
    }
    for (Phase p : scenario.phases()) {
      for (int d : p.digits()) {
        if (byDigit[d].length == 0) {
          throw new IllegalArgumentException(
              "phase " + p.name() + " draws digit " + d + ", which the split does not contain");
        }
      }
    }
  }

  public Scenario scenario() {
    return scenario;
  }

  /** Image {@code position} of the stream. */
  public Item at(long position) {
    SplittableRandom rnd = new SplittableRandom(mix64(mix64(seed) + position));
    int phaseIndex = scenario.phaseAt(position);
    Phase phase = scenario.phases().get(phaseIndex);
    Phase drawn = phase;
    if (phase.mixOver() > 0 && phaseIndex > 0) {
      long into = position - scenario.phaseStart(phaseIndex);
      double share = Math.min(1.0, (into + 1) / (double) phase.mixOver());
      if (rnd.nextDouble() >= share) {
        drawn = scenario.phases().get(phaseIndex - 1);
      }
    }
    int[] digits = drawn.digits();
    int digit = digits[rnd.nextInt(digits.length)];
    int index = byDigit[digit][rnd.nextInt(byDigit[digit].length)];
    byte[] pixels = drawn.transform().apply(data.image(index), rnd);
    AnomalyKind anomaly = null;
    if (anomalyRate > 0 && kinds.length > 0) {
      // A generator of its own: the anomaly draw does not depend on the scenario's draws.
      SplittableRandom a = new SplittableRandom(mix64(mix64(~seed) + position));
      if (a.nextDouble() < anomalyRate) {
        anomaly = AnomalyKind.draw(kinds, digit, a);
        if (anomaly != null) {
          pixels = anomaly.apply(pixels, a.nextLong());
        }
      }
    }
    return new Item(position, index, pixels, digit, phase.name(), anomaly);
  }

  private static long mix64(long x) {
    long z = x + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
