package dev.vaestream.trainer.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.scenario.Phase;
import dev.vaestream.core.scenario.Scenario;
import dev.vaestream.core.scenario.ScenarioImages;
import dev.vaestream.core.scenario.Transform;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The input detector on real MNIST scenario streams with 1% injected anomalies of every kind. */
class InputShiftDetectorTest {
  private static final int GROUP = 32;
  private static MnistDataset mnist;

  @BeforeAll
  static void load() {
    mnist = MnistDataset.bundled(MnistSplit.TRAIN);
  }

  private static InputShiftDetector defaults() {
    return new InputShiftDetector(
        DriftSettings.DEFAULT_INPUT_SHIFT,
        DriftSettings.DEFAULT_WARMUP,
        DriftSettings.DEFAULT_INPUT_SETTLE);
  }

  /** Runs groups [from, to) of the stream; returns the image counts at which it detected. */
  private static List<Long> run(
      InputShiftDetector d, ScenarioImages images, long from, long to, float[] group) {
    List<Long> at = new ArrayList<>();
    for (long start = from; start + GROUP <= to; start += GROUP) {
      for (int i = 0; i < GROUP; i++) {
        byte[] px = images.at(start + i).pixels();
        for (int k = 0; k < px.length; k++) {
          group[i * MnistDataset.PIXELS + k] = (px[k] & 0xff) / 255f;
        }
      }
      if (d.observe(InputShiftDetector.ink(group, GROUP), GROUP)) {
        at.add(start + GROUP);
        d.unsettle();
      }
    }
    return at;
  }

  private static ScenarioImages stream(String scenario, long phase) {
    return new ScenarioImages(
        mnist, Scenario.builtIns(phase).get(scenario), 42, 0.01, List.of(AnomalyKind.values()));
  }

  @Test
  void aStationaryStreamWithAnomaliesRaisesNoAlarm() {
    ScenarioImages images = stream("rotation", 150_000); // the upright phase only
    InputShiftDetector d = defaults();
    assertEquals(List.of(), run(d, images, 0, 150_000, new float[GROUP * MnistDataset.PIXELS]));
    assertTrue(d.reference() > 0.1 && d.reference() < 0.16, "reference ink " + d.reference());
  }

  @Test
  void aRotationMovesNoInk() {
    ScenarioImages images = stream("rotation", 40_000);
    assertEquals(
        List.of(), run(defaults(), images, 0, 80_000, new float[GROUP * MnistDataset.PIXELS]));
  }

  @Test
  void aThickeningRampIsDetectedOnceBeforeItEnds() {
    long phase = 40_000; // ramp of 12,000 images
    ScenarioImages images = stream("gradual-thickness", phase);
    long ramp = images.scenario().phases().get(1).mixOver();
    List<Long> at =
        run(defaults(), images, 0, phase * 2 + ramp, new float[GROUP * MnistDataset.PIXELS]);
    assertEquals(1, at.size(), "detections at " + at);
    assertTrue(at.get(0) > phase && at.get(0) < phase + ramp, "at " + at + ", ramp " + ramp);
  }

  @Test
  void aRampTwiceAsLongIsStillDetectedOnce() {
    Scenario slow =
        new Scenario(
            "slow-thickening",
            List.of(
                new Phase("thin", 20_000, Phase.ALL_DIGITS, Transform.NONE, 0),
                new Phase(
                    "thick",
                    100_000,
                    Phase.ALL_DIGITS,
                    new Transform(0, 1, 1, 0, 0, 0, 0),
                    60_000)));
    ScenarioImages images =
        new ScenarioImages(mnist, slow, 42, 0.01, List.of(AnomalyKind.values()));
    List<Long> at = run(defaults(), images, 0, 120_000, new float[GROUP * MnistDataset.PIXELS]);
    assertEquals(1, at.size(), "detections at " + at);
    assertTrue(at.get(0) > 20_000 && at.get(0) < 80_000, "at " + at);
  }

  @Test
  void resumesFromItsStateBitForBit() {
    long phase = 40_000;
    ScenarioImages images = stream("gradual-thickness", phase);
    long end = phase * 2;
    float[] group = new float[GROUP * MnistDataset.PIXELS];
    InputShiftDetector straight = defaults();
    List<Long> expected = run(straight, images, 0, end, group);
    assertEquals(1, expected.size(), "the ramp is detected in the straight run: " + expected);
    // Stop in the ramp, before the detection, and go on from the saved state.
    long stop = phase + 1_024;
    InputShiftDetector first = defaults();
    assertEquals(List.of(), run(first, images, 0, stop, group));
    InputShiftDetector resumed =
        InputShiftDetector.fromState(
            DriftSettings.DEFAULT_INPUT_SHIFT,
            DriftSettings.DEFAULT_WARMUP,
            DriftSettings.DEFAULT_INPUT_SETTLE,
            first.serialise());
    assertEquals(first.serialise(), resumed.serialise());
    assertEquals(expected, run(resumed, images, stop, end, group));
    assertEquals(straight.serialise(), resumed.serialise());
  }

  @Test
  void offDetectsNothing() {
    InputShiftDetector d = new InputShiftDetector(0, 0, 2);
    assertFalse(d.enabled());
    for (int g = 0; g < 1000; g++) {
      assertFalse(d.observe(g < 500 ? 0.1 : 0.5, GROUP));
    }
    assertTrue(Double.isNaN(d.shift()) && Double.isNaN(d.reference()), "no signal when off");
  }

  @Test
  void trimsTheTwoMostAndLeastInkedImages() {
    float[] group = new float[GROUP * MnistDataset.PIXELS];
    for (int i = 0; i < GROUP; i++) {
      float v = i == 0 || i == 1 ? 1f : i == 2 || i == 3 ? 0f : 0.25f; // two negatives, two blanks
      java.util.Arrays.fill(group, i * MnistDataset.PIXELS, (i + 1) * MnistDataset.PIXELS, v);
    }
    assertEquals(0.25, InputShiftDetector.ink(group, GROUP), 1e-9);
  }

  @Test
  void refusesAMalformedState() {
    assertThrows(
        IllegalArgumentException.class, () -> InputShiftDetector.fromState(0.1, 0, 2, "input1 1"));
    String[] fields = defaults().serialise().split(" ");
    fields[3] = "x"; // a counter that is not a number
    assertThrows(
        IllegalArgumentException.class,
        () -> InputShiftDetector.fromState(0.1, 0, 2, String.join(" ", fields)));
  }
}
