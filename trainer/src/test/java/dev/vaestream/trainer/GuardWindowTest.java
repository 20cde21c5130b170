package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GuardWindowTest {

  /** What the window's ranks and quantiles must equal: a pass over, or a sort of, its values. */
  private static void assertMatchesBruteForce(GuardWindow w, float[] probes) {
    float[] values = w.values();
    for (float s : probes) {
      int below = 0;
      for (float v : values) {
        below += v < s ? 1 : 0;
      }
      assertThat(w.below(s)).as("below(%s)", s).isEqualTo(below);
    }
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    for (double q : new double[] {0, 0.1, 0.5, 0.9, 0.99, 1}) {
      assertThat(w.quantile(q)).isEqualTo(Quantiles.ofSorted(sorted, q));
    }
  }

  @Test
  void ranksAndQuantilesEqualABruteForcePassThroughFillingWrappingRestoreAndClear() {
    SplittableRandom rnd = new SplittableRandom(7);
    GuardWindow w = new GuardWindow(500);
    float[] probes = new float[64];
    for (int round = 0; round < 40; round++) {
      for (int i = 0; i < 37; i++) {
        // Few distinct values, so duplicates (and evicting one of several equal scores) are common.
        w.add(rnd.nextInt(50) / 10f);
      }
      for (int i = 0; i < probes.length; i++) {
        probes[i] = rnd.nextInt(55) / 10f - 0.2f;
      }
      assertMatchesBruteForce(w, probes);
    }
    assertThat(w.count()).isEqualTo(500);

    GuardWindow restored = new GuardWindow(500);
    restored.restore(w.ring(), w.nextIndex(), w.count());
    for (int i = 0; i < 300; i++) {
      float v = rnd.nextInt(50) / 10f;
      w.add(v);
      restored.add(v);
    }
    assertMatchesBruteForce(restored, probes);
    assertThat(restored.quantile(0.99)).isEqualTo(w.quantile(0.99));

    w.clear();
    assertThat(w.below(1f)).isZero();
    w.add(2f);
    w.add(Float.NaN);
    w.add(1f);
    assertThat(w.below(1.5f)).isEqualTo(1);
    assertThat(w.below(3f)).isEqualTo(2); // NaN is never below
  }

  @Test
  void aPartlyFilledWindowRestoresItsOrderToo() {
    GuardWindow w = new GuardWindow(100);
    for (int i = 0; i < 30; i++) {
      w.add((i * 7 % 30) / 3f);
    }
    GuardWindow r = new GuardWindow(100);
    r.restore(w.ring(), w.nextIndex(), w.count());
    assertMatchesBruteForce(r, new float[] {0f, 2.5f, 5f, 9.9f, 100f});
  }
}
