package dev.vaestream.trainer.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossDriftDetectorTest {

  /** A learning curve: falls from 200 towards 100, jumps by 40% at group 3000, falls again. */
  private static double loss(int group, SplittableRandom rng) {
    double base =
        group < 3000
            ? 100 + 100 * Math.exp(-group / 150.0)
            : 100 + 40 * Math.exp(-(group - 3000) / 100.0);
    return base + 3 * rng.nextGaussian();
  }

  @Test
  void oneDetectionForOneRiseNoneForTheLearningCurve() {
    LossDriftDetector d = new LossDriftDetector(DriftSettings.defaults());
    SplittableRandom rng = new SplittableRandom(7);
    List<Integer> at = new ArrayList<>();
    for (int g = 0; g < 9000; g++) {
      var detection = d.observe(loss(g, rng), 32);
      if (detection != null) {
        at.add(g);
        assertTrue(detection.lossAfter() > detection.lossBefore() * 1.1, detection.toString());
      }
    }
    assertEquals(1, at.size(), "detections at groups " + at);
    assertTrue(at.get(0) >= 3000 && at.get(0) < 3000 + 1000 / 32, "detected at group " + at);
    assertEquals(1, d.detections());
  }

  @Test
  void offDetectsNothingAndSaysOff() {
    LossDriftDetector d = new LossDriftDetector(DriftSettings.off());
    SplittableRandom rng = new SplittableRandom(7);
    for (int g = 0; g < 5000; g++) {
      assertNull(d.observe(loss(g, rng), 32));
    }
    assertEquals(DriftState.OFF, d.state());
  }

  @Test
  void stateIsAdaptingAfterADetectionThenStable() {
    DriftSettings s = DriftSettings.defaults();
    LossDriftDetector d = new LossDriftDetector(s);
    SplittableRandom rng = new SplittableRandom(7);
    assertEquals(DriftState.WARMING_UP, d.state());
    int g = 0;
    while (d.detections() == 0) {
      d.observe(loss(g++, rng), 32);
    }
    assertEquals(DriftState.ADAPTING, d.state());
    for (int i = 0; i < s.adaptImages() / 32 + 1; i++) {
      d.observe(loss(g++, rng), 32);
    }
    assertEquals(DriftState.STABLE, d.state());
  }

  @Test
  void restoredDetectorContinuesExactly() {
    LossDriftDetector straight = new LossDriftDetector(DriftSettings.defaults());
    LossDriftDetector resumed = new LossDriftDetector(DriftSettings.defaults());
    SplittableRandom rng = new SplittableRandom(7);
    for (int g = 0; g < 6000; g++) {
      if (g % 500 == 0) {
        resumed = LossDriftDetector.fromState(DriftSettings.defaults(), resumed.serialise());
      }
      double x = loss(g, rng);
      assertEquals(straight.observe(x, 32), resumed.observe(x, 32), "group " + g);
    }
    assertEquals(straight.serialise(), resumed.serialise());
  }

  /** Exceedances of the recent p90 in a group of 32: Binomial(32, p). */
  private static int exceed(double p, SplittableRandom rng) {
    int k = 0;
    for (int i = 0; i < 32; i++) {
      k += rng.nextDouble() < p ? 1 : 0;
    }
    return k;
  }

  @Test
  void cusumRaisesNoAlarmOverAMillionStationaryImages() {
    // The worst stationary case: exactly 10% of images above the p90, a flat loss.
    LossDriftDetector d = new LossDriftDetector(DriftSettings.defaults());
    SplittableRandom rng = new SplittableRandom(11);
    for (int g = 0; g < 1_000_000 / 32; g++) {
      assertNull(d.observe(100 + 3 * rng.nextGaussian(), 32, exceed(0.1, rng)), "group " + g);
    }
    assertEquals(0, d.detections());
  }

  @Test
  void cusumCatchesASmallSuddenChangeThatAdwinMisses() {
    // The loss of a young model: still falling after the change, which only shows as more images
    // above the recent p90 (measured on MNIST rotated 40 degrees: 8% before, 14-16% after).
    DriftSettings adwinOnly = new DriftSettings(true, 1e-5, 0.1, 5_000, 1_000, 5_000, 0);
    LossDriftDetector withCusum = new LossDriftDetector(DriftSettings.defaults());
    LossDriftDetector withoutCusum = new LossDriftDetector(adwinOnly);
    SplittableRandom rng = new SplittableRandom(5);
    int change = 3000;
    Integer detectedAt = null;
    for (int g = 0; g < 6000; g++) {
      // After the detection the trainer re-baselines the window: back to 10% above its p90.
      double p = g < change ? 0.08 : detectedAt == null ? 0.16 : 0.1;
      double loss = 100 + 100 * Math.exp(-g / 1500.0) + 3 * rng.nextGaussian();
      int k = exceed(p, rng);
      if (withCusum.observe(loss, 32, k) != null && detectedAt == null) {
        detectedAt = g;
      }
      assertNull(withoutCusum.observe(loss, 32, k), "ADWIN alone, group " + g);
    }
    assertEquals(1, withCusum.detections(), "one detection, none before the change");
    assertTrue(detectedAt >= change && (detectedAt - change) * 32 <= 1_000, "at " + detectedAt);
  }

  @Test
  void restoresTheStatesOfFormerVersionsWithAFreshCusumOrInputDetector() {
    LossDriftDetector d = new LossDriftDetector(DriftSettings.defaults());
    SplittableRandom rng = new SplittableRandom(3);
    for (int g = 0; g < 100; g++) { // before the warm-up ends: the CUSUM grows, no detection
      d.observe(loss(g, rng), 32, exceed(0.3, rng), 0.13);
    }
    String v2 = d.serialise();
    assertTrue(v2.startsWith("loss2 "), v2);
    assertTrue(d.cusum() > 0);
    // With its input state: exactly the same detector.
    LossDriftDetector both =
        LossDriftDetector.fromState(DriftSettings.defaults(), v2, d.inputState());
    assertEquals(v2, both.serialise());
    assertEquals(d.inputState(), both.inputState());
    // Without (a checkpoint from before the input detector): a fresh input detector.
    LossDriftDetector two = LossDriftDetector.fromState(DriftSettings.defaults(), v2);
    assertEquals(v2, two.serialise());
    assertTrue(Double.isNaN(two.input().recentMean()), "a fresh input detector");
    // loss1: the same fields without the CUSUM (checkpoint format 2).
    String[] parts = v2.split(" \\| ", 2);
    String[] head = parts[0].split(" ");
    StringBuilder v1 = new StringBuilder("loss1");
    for (int i = 1; i < head.length; i++) {
      if (i != 5) {
        v1.append(' ').append(head[i]);
      }
    }
    v1.append(" | ").append(parts[1]);
    LossDriftDetector old = LossDriftDetector.fromState(DriftSettings.defaults(), v1.toString());
    assertEquals(0, old.cusum());
    assertEquals(d.detections(), old.detections());
    assertEquals(d.windowMean(), old.windowMean());
  }

  @Test
  void anInputDetectionCountsAsADetectionAndNoLossDetectionFollowsWhileAdapting() {
    DriftSettings s = DriftSettings.defaults();
    LossDriftDetector d = new LossDriftDetector(s);
    SplittableRandom rng = new SplittableRandom(5);
    Integer inputAt = null;
    for (int g = 0; g < 3000; g++) {
      double ink = (g < 1000 ? 0.13 : 0.16) + 0.005 * rng.nextGaussian(); // +23% at group 1000
      var detection = d.observe(100 + 3 * rng.nextGaussian(), 32, exceed(0.1, rng), ink);
      if (detection != null) {
        assertNull(inputAt, "one detection, the second at group " + g);
        inputAt = g;
        assertEquals(LossDriftDetector.Signal.INPUT, detection.signal());
        assertEquals(0.13, detection.inkBefore(), 0.003);
        assertEquals(0.16, detection.inkAfter(), 0.006);
        assertEquals(DriftState.ADAPTING, d.state());
      }
    }
    assertTrue(inputAt != null && inputAt >= 1000 && inputAt < 1000 + 32, "at " + inputAt);
  }
}
