package dev.vaestream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AnomalyKindTest {
  private final byte[] digit = MnistDataset.bundled(MnistSplit.TEST).image(0);

  @Test
  void everyKindIsDeterministicAndChangesTheImage() {
    for (AnomalyKind kind : AnomalyKind.values()) {
      byte[] a = kind.apply(digit, 7);
      assertThat(a).as(kind.wireName()).isEqualTo(kind.apply(digit, 7)).hasSize(784);
      assertThat(Arrays.equals(a, digit)).as(kind.wireName()).isFalse();
    }
  }

  @Test
  void geometricKindsAreTheirOwnInverses() {
    byte[] r = digit;
    for (int i = 0; i < 4; i++) {
      r = AnomalyKind.ROTATED.apply(r, 0);
    }
    assertThat(r).isEqualTo(digit);
    assertThat(AnomalyKind.FLIPPED.apply(AnomalyKind.FLIPPED.apply(digit, 0), 0)).isEqualTo(digit);
    byte[] inv = AnomalyKind.INVERTED.apply(digit, 0);
    assertThat(inv[0] & 0xff).isEqualTo(255 - (digit[0] & 0xff));
  }

  @Test
  void parsesWireNamesAndRejectsUnknownOnes() {
    assertThat(AnomalyKind.fromWireName("Salt_Pepper")).isEqualTo(AnomalyKind.SALT_PEPPER);
    assertThatThrownBy(() -> AnomalyKind.fromWireName("blur"))
        .hasMessageContaining("unknown anomaly kind 'blur'")
        .hasMessageContaining("noise,inverted");
  }
}
