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
}
