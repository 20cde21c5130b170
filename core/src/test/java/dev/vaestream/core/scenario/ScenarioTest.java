package dev.vaestream.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
  private static final MnistDataset TEST = MnistDataset.bundled(MnistSplit.TEST);

  @Test
  void builtInsHaveTheIssuesPhases() {
    var b = Scenario.builtIns(Scenario.BUILT_IN_PHASE);
    assertThat(b.keySet())
        .containsExactly("class-incremental", "rotation", "gradual-thickness", "recurring");
    assertThat(b.get("class-incremental").phases().get(0).digits()).containsExactly(0, 1, 2, 3, 4);
    assertThat(b.get("rotation").phases().get(1).transform().rotationDegrees()).isEqualTo(40);
    Phase thick = b.get("gradual-thickness").phases().get(1);
    assertThat(thick.mixOver()).isEqualTo(30_000);
    assertThat(thick.transform().thickness()).isEqualTo(1);
    assertThat(b.get("recurring").phases().stream().map(Phase::name))
        .containsExactly("A", "B", "A");
  }

  @Test
  void phaseAtFollowsTheLengths() {
    Scenario s = Scenario.builtIns(100).get("recurring");
    assertThat(s.phaseAt(0)).isEqualTo(0);
    assertThat(s.phaseAt(99)).isEqualTo(0);
    assertThat(s.phaseAt(100)).isEqualTo(1);
    assertThat(s.phaseAt(250)).isEqualTo(2);
    assertThat(s.totalImages()).isEqualTo(300);
  }

  @Test
  void readsAFileAndNamesWhatIsWrong(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.json");
    Files.writeString(
        ok,
        "{\"name\":\"mine\",\"phases\":[{\"name\":\"a\",\"length\":10,\"digits\":[1,2]},"
            + "{\"name\":\"b\",\"length\":0,\"noise\":0.1,\"translate_x\":2,\"mix\":5}]}");
    Scenario s = Scenario.resolve(ok.toString());
    assertThat(s.name()).isEqualTo("mine");
    assertThat(s.phases().get(1).transform().noise()).isEqualTo(0.1);
    assertThat(s.totalImages()).isEqualTo(-1);
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"phases\":[{\"name\":\"a\",\"length\":10,\"rotate\":3}]}");
    assertThatThrownBy(() -> Scenario.resolve(bad.toString()))
        .hasMessageContaining("phase 0")
        .hasMessageContaining("unknown field 'rotate'");
    Files.writeString(bad, "{\"phases\":[{\"name\":\"a\",\"length\":10,\"digits\":[12]}]}");
    assertThatThrownBy(() -> Scenario.resolve(bad.toString())).hasMessageContaining("digit 12");
    assertThatThrownBy(() -> Scenario.resolve("no-such-scenario"))
        .hasMessageContaining("no-such-scenario")
        .hasMessageContaining("rotation");
  }

  @Test
  void imagesAreAPureFunctionOfSeedAndPosition() {
    Scenario s = Scenario.builtIns(1000).get("rotation");
    var a = new ScenarioImages(TEST, s, 7, 0.05, List.of(AnomalyKind.values()));
    var b = new ScenarioImages(TEST, s, 7, 0.05, List.of(AnomalyKind.values()));
    var c = new ScenarioImages(TEST, s, 8, 0.05, List.of(AnomalyKind.values()));
    int differ = 0;
    for (long p = 0; p < 2000; p += 37) {
      assertThat(a.at(p).pixels()).isEqualTo(b.at(p).pixels());
      assertThat(a.at(p).phase()).isEqualTo(p < 1000 ? "upright" : "rotated-40");
      differ += Arrays.equals(a.at(p).pixels(), c.at(p).pixels()) ? 0 : 1;
    }
    assertThat(differ).isGreaterThan(40);
  }

  @Test
  void classIncrementalDrawsOnlyItsDigitsAndAnomaliesAtTheirRate() {
    Scenario s = Scenario.builtIns(2000).get("class-incremental");
    var images = new ScenarioImages(TEST, s, 1, 0.01, List.of(AnomalyKind.values()));
    int anomalies = 0;
    boolean[] seenLate = new boolean[10];
    for (long p = 0; p < 4000; p++) {
      var item = images.at(p);
      if (p < 2000) {
        assertThat(item.label()).isBetween(0, 4);
      } else {
        seenLate[item.label()] = true;
      }
      anomalies += item.anomaly() == null ? 0 : 1;
    }
    assertThat(seenLate).containsOnly(true);
    assertThat(anomalies).isBetween(20, 60); // 1% of 4,000, binomial spread
  }

  @Test
  void aLinearMixGrowsTheNewPhasesShare() {
    Scenario s = Scenario.builtIns(20_000).get("gradual-thickness"); // ramp 6,000
    var images = new ScenarioImages(TEST, s, 3, 0, List.of());
    Transform thick = s.phases().get(1).transform();
    int early = 0;
    int late = 0;
    for (long p = 0; p < 600; p++) {
      var e = images.at(20_000 + p);
      var l = images.at(25_400 + p);
      early += Arrays.equals(e.pixels(), thick.apply(TEST.image(e.index()), null)) ? 1 : 0;
      late += Arrays.equals(l.pixels(), thick.apply(TEST.image(l.index()), null)) ? 1 : 0;
    }
    assertThat(early).isLessThan(60); // about 5% at the start of the ramp
    assertThat(late).isGreaterThan(540); // about 95% at its end
  }

  @Test
  void transformsDoWhatTheySay() {
    byte[] digit = TEST.image(0);
    long ink = inkOf(digit);
    assertThat(inkOf(new Transform(0, 1, 1, 0, 0, 0, 0).apply(digit, null))).isGreaterThan(ink);
    assertThat(inkOf(new Transform(0, -1, 1, 0, 0, 0, 0).apply(digit, null))).isLessThan(ink);
    assertThat(inkOf(new Transform(0, 0, 1, 0.2, 0, 0, 0).apply(digit, null))).isGreaterThan(ink);
    byte[] rotated = new Transform(40, 0, 1, 0, 0, 0, 0).apply(digit, null);
    assertThat(rotated).isNotEqualTo(digit);
    assertThat((double) inkOf(rotated))
        .isCloseTo(ink, org.assertj.core.data.Percentage.withPercentage(15));
    byte[] shifted = new Transform(0, 0, 1, 0, 0, 3, 0).apply(digit, null);
    for (int r = 0; r < 28; r++) {
      for (int c = 3; c < 28; c++) {
        assertThat(shifted[r * 28 + c]).isEqualTo(digit[r * 28 + c - 3]);
      }
    }
    byte[] noisy1 = new Transform(0, 0, 1, 0, 0.1, 0, 0).apply(digit, new SplittableRandom(1));
    byte[] noisy2 = new Transform(0, 0, 1, 0, 0.1, 0, 0).apply(digit, new SplittableRandom(1));
    assertThat(noisy1).isEqualTo(noisy2).isNotEqualTo(digit);
    assertThat(Transform.NONE.apply(digit, null)).isEqualTo(digit);
  }

  private static long inkOf(byte[] img) {
    long s = 0;
    for (byte b : img) {
      s += b & 0xff;
    }
    return s;
  }
}
