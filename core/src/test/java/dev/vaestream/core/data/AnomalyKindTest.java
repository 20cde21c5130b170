package dev.vaestream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
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

  @Test
  void neverDrawsAKindThatLeavesTheDigitAsItWas() {
    assertThat(AnomalyKind.FLIPPED.changesDigit(1)).isFalse();
    assertThat(AnomalyKind.FLIPPED.changesDigit(8)).isFalse();
    assertThat(AnomalyKind.FLIPPED.changesDigit(7)).isTrue();
    assertThat(AnomalyKind.ROTATED.changesDigit(0)).isFalse();
    assertThat(AnomalyKind.ROTATED.changesDigit(1)).isTrue();
    assertThat(AnomalyKind.NOISE.changesDigit(1)).isTrue();

    AnomalyKind[] all = AnomalyKind.values();
    SplittableRandom rnd = new SplittableRandom(3);
    int flippedSevens = 0;
    for (int i = 0; i < 2_000; i++) {
      AnomalyKind one = AnomalyKind.draw(all, 1, rnd);
      assertThat(one).isNotNull().isNotEqualTo(AnomalyKind.FLIPPED);
      assertThat(AnomalyKind.draw(all, 0, rnd)).isNotIn(AnomalyKind.FLIPPED, AnomalyKind.ROTATED);
      flippedSevens += AnomalyKind.draw(all, 7, rnd) == AnomalyKind.FLIPPED ? 1 : 0;
    }
    // Where every kind applies, each is drawn uniformly (1/6 of 2,000 is 333).
    assertThat(flippedSevens).isBetween(250, 420);
    // Only kinds that leave the digit: nothing is drawn, the image stays real.
    assertThat(AnomalyKind.draw(new AnomalyKind[] {AnomalyKind.FLIPPED}, 3, rnd)).isNull();
    // A first draw that applies is kept: the stream's other draws do not move.
    SplittableRandom a = new SplittableRandom(9);
    SplittableRandom b = new SplittableRandom(9);
    AnomalyKind drawn = AnomalyKind.draw(all, 7, a);
    assertThat(drawn).isEqualTo(all[b.nextInt(all.length)]);
    assertThat(a.nextLong()).isEqualTo(b.nextLong());
  }
}
