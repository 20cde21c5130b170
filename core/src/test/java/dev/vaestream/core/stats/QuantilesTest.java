package dev.vaestream.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantilesTest {

  @Test
  void linearInterpolationBetweenClosestRanksAsInRAndNumPy() {
    double[] v = {1, 2, 3, 4};
    assertThat(Quantiles.ofSorted(v, 0)).isEqualTo(1);
    assertThat(Quantiles.ofSorted(v, 1)).isEqualTo(4);
    assertThat(Quantiles.ofSorted(v, 0.5)).isEqualTo(2.5);
    // numpy.quantile([1, 2, 3, 4], 0.9) == 3.7
    assertThat(Quantiles.ofSorted(v, 0.9)).isCloseTo(3.7, within(1e-12));
    assertThat(Quantiles.of(new double[] {4, 1, 3, 2}, 0.9)).isCloseTo(3.7, within(1e-12));
  }

  @Test
  void floatAndDoubleAgree() {
    float[] f = {0.5f, 1.25f, 2f, 8f, 9.5f};
    double[] d = {0.5, 1.25, 2, 8, 9.5};
    for (double p : new double[] {0, 0.1, 0.33, 0.5, 0.99, 1}) {
      assertThat(Quantiles.ofSorted(f, p)).as("p=%s", p).isEqualTo(Quantiles.ofSorted(d, p));
    }
  }

  @Test
  void emptyIsNaNAndASingleValueIsEveryQuantile() {
    assertThat(Quantiles.ofSorted(new double[0], 0.5)).isNaN();
    assertThat(Quantiles.ofSorted(new float[0], 0.5)).isNaN();
    assertThat(Quantiles.ofSorted(new double[] {7}, 0.99)).isEqualTo(7);
  }

  @Test
  void rejectsAProbabilityOutsideZeroToOne() {
    assertThatThrownBy(() -> Quantiles.ofSorted(new double[] {1}, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quantiles.ofSorted(new double[] {1}, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
