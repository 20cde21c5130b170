package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.checkpoint.Calibration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdPolicyTest {
  private static final Calibration CALIBRATION =
      new Calibration(1000, Map.of(0.5, 0.01, 0.9, 0.02, 0.95, 0.025, 0.99, 0.04, 0.999, 0.07));

  @Test
  void defaultIsTheCalibrationsP99() {
    ThresholdPolicy.Threshold t = ThresholdPolicy.defaults().resolve(CALIBRATION);
    assertThat(t.value()).hasValue(0.04);
    assertThat(t.source()).isEqualTo("calibration p99");
    assertThat(t.flags(0.041)).isTrue();
    assertThat(t.flags(0.04)).isFalse();
  }

  @Test
  void anyCalibratedQuantileCanBeChosen() {
    assertThat(ThresholdPolicy.quantile(0.9).resolve(CALIBRATION).value()).hasValue(0.02);
    assertThat(ThresholdPolicy.quantile(0.999).resolve(CALIBRATION).source())
        .isEqualTo("calibration p99.9");
  }

  @Test
  void unknownQuantileIsRejectedWithTheChoices() {
    assertThatThrownBy(() -> ThresholdPolicy.quantile(0.42))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--threshold-quantile 0.42")
        .hasMessageContaining("0.5, 0.9, 0.95, 0.99, 0.999");
  }

  @Test
  void fixedThresholdIgnoresTheCalibration() {
    ThresholdPolicy fixed = ThresholdPolicy.fixed(0.05);
    assertThat(fixed.resolve(CALIBRATION).value()).hasValue(0.05);
    assertThat(fixed.resolve(Calibration.none()).value()).hasValue(0.05);
    assertThatThrownBy(() -> ThresholdPolicy.fixed(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutCalibrationNothingIsFlagged() {
    ThresholdPolicy.Threshold t = ThresholdPolicy.defaults().resolve(Calibration.none());
    assertThat(t.value()).isEmpty();
    assertThat(t.flags(1.0)).isFalse();
    assertThat(t.source()).contains("not calibrated");
    Calibration partial = new Calibration(10, Map.of(0.5, 0.01));
    assertThat(ThresholdPolicy.defaults().resolve(partial).source()).contains("lacks p99");
  }
}
