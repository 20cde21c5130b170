package dev.vaestream.core.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AurocTest {
  @Test
  void perfectInvertedAndTiedRankings() {
    assertThat(Auroc.of(new double[] {1, 2, 3}, new double[] {4, 5})).isEqualTo(1.0);
    assertThat(Auroc.of(new double[] {4, 5}, new double[] {1, 2, 3})).isEqualTo(0.0);
    assertThat(Auroc.of(new double[] {1, 1}, new double[] {1, 1})).isEqualTo(0.5);
    // 3 of 4 anomaly-normal pairs ordered correctly.
    assertThat(Auroc.of(new double[] {1, 3}, new double[] {2, 4})).isCloseTo(0.75, within(1e-12));
    assertThat(Auroc.of(new double[0], new double[] {1})).isNaN();
  }
}
