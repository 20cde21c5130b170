package dev.vaestream.trainer.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdwinTest {

  /** River's documented ADWIN example, rebuilt with CPython's generator. */
  private static int[] riverStream() {
    PythonRandom rng = new PythonRandom(12345);
    int[] first = rng.choices(new int[] {0, 1}, 1000);
    int[] second = rng.choices(new int[] {4, 5, 6, 7}, 1000);
    int[] all = new int[2000];
    System.arraycopy(first, 0, all, 0, 1000);
    System.arraycopy(second, 0, all, 1000, 1000);
    return all;
  }

  @Test
  void pythonGeneratorMatchesCPython() {
    // CPython 3: random.Random(12345).random() == 0.41661987254534116
    assertEquals(0.41661987254534116, new PythonRandom(12345).random(), 0.0);
  }

  @Test
  void detectsRiversExampleAtItem1023() {
    Adwin adwin = Adwin.withDefaults();
    int[] stream = riverStream();
    List<Integer> detectedAt = new ArrayList<>();
    for (int i = 0; i < stream.length; i++) {
      if (adwin.update(stream[i])) {
        detectedAt.add(i);
      }
    }
    // River's documentation: "Change detected at index 1023, input value: 4", and nothing else.
    assertEquals(List.of(1023), detectedAt);
    assertEquals(4, stream[1023]);
    Adwin.Cut cut = adwin.lastCut();
    assertTrue(cut.newerMean() > cut.olderMean(), "the mean rose: " + cut);
  }

  @Test
  void riversFirstDistributionAloneRaisesNoAlarm() {
    PythonRandom rng = new PythonRandom(12345);
    Adwin adwin = Adwin.withDefaults();
    int[] stream = rng.choices(new int[] {0, 1}, 20_000);
    for (int i = 0; i < stream.length; i++) {
      assertTrue(!adwin.update(stream[i]), "false alarm at item " + i);
    }
  }

  /**
   * ADWIN's delta bounds each test, not the run: with River's 0.002, one of these 20 seeds raises a
   * false alarm within 20,000 items. The trainer's default, 1e-5, raises none.
   */
  @Test
  void stationaryStreamsRaiseNoAlarmAtTheTrainersDelta() {
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      Adwin adwin = new Adwin(1e-5, 1);
      for (int i = 0; i < 20_000; i++) {
        double x = 100 + 10 * rng.nextGaussian();
        assertTrue(!adwin.update(x), "seed " + seed + ": false alarm at item " + i);
      }
    }
  }

  @Test
  void stateRoundTripContinuesBitForBit() {
    int[] stream = riverStream();
    Adwin straight = Adwin.withDefaults();
    Adwin resumed = Adwin.withDefaults();
    for (int i = 0; i < stream.length; i++) {
      if (i % 97 == 0) {
        resumed = Adwin.fromState(resumed.state());
      }
      assertEquals(straight.update(stream[i]), resumed.update(stream[i]), "item " + i);
      assertEquals(straight.state(), resumed.state(), "item " + i);
    }
  }

  @Test
  void malformedStateIsRefusedWithAReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> Adwin.fromState("adwin1 3ff 32"));
    assertTrue(e.getMessage().contains("ADWIN state"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Adwin.fromState("kswin1"));
    assertThrows(IllegalArgumentException.class, () -> new Adwin(0, 32));
  }
}
