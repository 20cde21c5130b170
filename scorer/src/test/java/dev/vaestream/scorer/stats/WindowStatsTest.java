package dev.vaestream.scorer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vaestream.core.offline.Auroc;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.stats.Quantiles;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
  /** Log-normal scores around MNIST's range: digits near 0.01, anomalies near 0.06. */
  private static double score(SplittableRandom rnd, double median) {
    return median * Math.exp(0.5 * gaussian(rnd));
  }

  private static double gaussian(SplittableRandom rnd) {
    return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()))
        * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  @Test
  void quantilesAreWithinHalfABinOfTheExactOnes() {
    SplittableRandom rnd = new SplittableRandom(1);
    WindowStats s = new WindowStats();
    float[] all = new float[20_000];
    for (int i = 0; i < all.length; i++) {
      double v = score(rnd, 0.012);
      all[i] = (float) v;
      s.add(new ScoreObservation(v, false, null));
    }
    Arrays.sort(all);
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      double exact = Quantiles.ofSorted(all, q);
      assertThat(s.quantile(q)).as("p%s", q).isCloseTo(exact, within(exact * 0.03));
    }
    assertThat(s.quantile(0)).isCloseTo(all[0], within(1e-7));
    assertThat(s.quantile(1)).isCloseTo(all[all.length - 1], within(1e-7));
    assertThat(s.count()).isEqualTo(20_000);
  }

  @Test
  void groundTruthMetrics() {
    SplittableRandom rnd = new SplittableRandom(2);
    WindowStats s = new WindowStats();
    double threshold = 0.03;
    double[] normals = new double[5000];
    double[] anomalies = new double[500];
    long fp = 0;
    long tpNoise = 0;
    for (int i = 0; i < normals.length; i++) {
      normals[i] = score(rnd, 0.012);
      fp += normals[i] > threshold ? 1 : 0;
      s.add(new ScoreObservation(normals[i], normals[i] > threshold, null));
    }
    for (int i = 0; i < anomalies.length; i++) {
      String kind = i % 2 == 0 ? "noise" : "rotated";
      anomalies[i] = score(rnd, kind.equals("noise") ? 0.2 : 0.03);
      boolean flagged = anomalies[i] > threshold;
      tpNoise += flagged && kind.equals("noise") ? 1 : 0;
      s.add(new ScoreObservation(anomalies[i], flagged, kind));
    }
    assertThat(s.hasGroundTruth()).isTrue();
    assertThat(s.positives()).isEqualTo(500);
    assertThat(s.negatives()).isEqualTo(5000);
    assertThat(s.falsePositives()).isEqualTo(fp);
    assertThat(s.precision()).isEqualTo((double) s.truePositives() / (s.truePositives() + fp));
    assertThat(s.recall()).isEqualTo(s.truePositives() / 500.0);
    assertThat(s.recall("noise")).isEqualTo(tpNoise / 250.0);
    assertThat(s.precision("noise")).isEqualTo((double) tpNoise / (tpNoise + fp));
    assertThat(s.recall("flipped")).isNaN();
    assertThat(s.auroc()).isCloseTo(Auroc.of(normals, anomalies), within(0.005));
  }

  @Test
  void noGroundTruthWithoutInjectedAnomalies() {
    WindowStats s = new WindowStats().add(new ScoreObservation(0.5, true, null));
    assertThat(s.hasGroundTruth()).isFalse();
    assertThat(s.auroc()).isNaN();
    assertThat(s.recall()).isNaN();
    assertThat(s.anomalyRate()).isEqualTo(1.0);
    assertThat(new WindowStats().quantile(0.5)).isNaN();
  }

  @Test
  void serdeRoundTripsCompactly() {
    SplittableRandom rnd = new SplittableRandom(3);
    WindowStats s = new WindowStats();
    for (int i = 0; i < 10_000; i++) {
      s.add(new ScoreObservation(score(rnd, 0.012), i % 7 == 0, i % 50 == 0 ? "patch" : null));
    }
    s.add(new ScoreObservation(0, false, null)).add(new ScoreObservation(1.0, true, "noise"));
    byte[] bytes = WindowStats.SERDE.serializer().serialize("t", s);
    assertThat(bytes.length).as("sparse histograms").isLessThan(600);
    WindowStats back = WindowStats.SERDE.deserializer().deserialize("t", bytes);
    assertThat(WindowStats.SERDE.serializer().serialize("t", back)).isEqualTo(bytes);
    assertThat(back.quantile(0.9)).isEqualTo(s.quantile(0.9));
    assertThat(back.kinds().keySet()).containsExactly("noise", "patch");
    assertThat(back.precision()).isEqualTo(s.precision());
    assertThat(back.min()).isZero();
    assertThat(back.max()).isEqualTo(1.0);
  }

  @Test
  void serdeKeepsTheAdaptingCountsAndStillReadsVersionOneValues() {
    WindowStats s = new WindowStats();
    s.add(new ScoreObservation(0.2, true, null, true))
        .add(new ScoreObservation(0.3, true, "noise", true))
        .add(new ScoreObservation(0.01, false, null, true))
        .add(new ScoreObservation(0.02, true, null, false));
    byte[] bytes = WindowStats.SERDE.serializer().serialize("t", s);
    WindowStats back = WindowStats.SERDE.deserializer().deserialize("t", bytes);
    assertThat(back.adaptingCount()).isEqualTo(3);
    assertThat(back.adaptingFlagged()).isEqualTo(2);
    assertThat(back.adaptingFalsePositives()).isEqualTo(1);
    assertThat(back.settledFlagged()).isEqualTo(1);
    assertThat(WindowStats.SERDE.serializer().serialize("t", back)).isEqualTo(bytes);

    // A version-1 value (a changelog from before drift handling): version byte 1, no adapting
    // counts at the end. It reads, with nothing counted as adapting.
    byte[] v1 = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    v1[0] = 1;
    WindowStats old = WindowStats.SERDE.deserializer().deserialize("t", v1);
    assertThat(old.count()).isEqualTo(4);
    assertThat(old.flagged()).isEqualTo(3);
    assertThat(old.adaptingCount()).isZero();
    assertThat(old.settledAnomalyRate()).isEqualTo(0.75);
  }

  @Test
  void mergingPartialsEqualsAggregatingEverything() {
    SplittableRandom rnd = new SplittableRandom(4);
    WindowStats all = new WindowStats();
    WindowStats a = new WindowStats();
    WindowStats b = new WindowStats();
    for (int i = 0; i < 5000; i++) {
      ScoreObservation o =
          new ScoreObservation(score(rnd, 0.012), i % 9 == 0, i % 40 == 0 ? "flipped" : null);
      all.add(o);
      (i % 3 == 0 ? a : b).add(o);
    }
    WindowStats merged = new WindowStats().merge(a).merge(b);
    var serde = WindowStats.SERDE.serializer();
    assertThat(merged.count()).isEqualTo(5000);
    assertThat(merged.quantile(0.99)).isEqualTo(all.quantile(0.99));
    assertThat(merged.auroc()).isEqualTo(all.auroc());
    assertThat(merged.kinds().get("flipped")).isEqualTo(all.kinds().get("flipped"));
    assertThat(merged.min()).isEqualTo(all.min());
    assertThat(merged.max()).isEqualTo(all.max());
    assertThat(merged.mean()).isCloseTo(all.mean(), within(1e-12));
    assertThat(serde.serialize("t", new WindowStats().merge(all)))
        .isEqualTo(serde.serialize("t", all));
  }

  @Test
  void kindsAreBounded() {
    WindowStats s = new WindowStats();
    for (int i = 0; i < 100; i++) {
      s.add(new ScoreObservation(0.1, true, "kind" + i));
    }
    assertThat(s.kinds()).hasSize(WindowStats.MAX_KINDS + 1).containsKey(WindowStats.OTHER_KIND);
  }

  @Test
  void observesTheFieldsOfAScoreRecord() {
    ScoreRecord noise =
        new ScoreRecord(
            new ScoreRecord.Source("x", 0, 1),
            new ScoreRecord.Verdict(0.25, null, true),
            new ScoreRecord.Model(3, 0),
            new ScoreRecord.Truth(null, "noise"),
            ScoreRecord.Timing.of(1, 2),
            new ScoreRecord.Drift(1, 10, true));
    assertThat(ScoreObservation.of(noise))
        .isEqualTo(new ScoreObservation(0.25, true, "noise", true));
    ScoreRecord digit =
        new ScoreRecord(
            new ScoreRecord.Source("y", 0, 2),
            new ScoreRecord.Verdict(0.01, 0.05, false),
            new ScoreRecord.Model(3, 0),
            new ScoreRecord.Truth(7, null),
            ScoreRecord.Timing.of(1, 2));
    assertThat(ScoreObservation.of(digit)).isEqualTo(new ScoreObservation(0.01, false, null));
  }
}
