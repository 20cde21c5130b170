package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.ImageRecord;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageSourceTest {
  private static MnistDataset test;

  @BeforeAll
  static void loadData() {
    test = MnistDataset.bundled(MnistSplit.TEST);
  }

  private static StreamPlan plan(
      long epochs,
      boolean loop,
      boolean shuffle,
      long seed,
      Long limit,
      double p,
      Set<AnomalyKind> kinds) {
    return new StreamPlan(
        epochs,
        loop,
        shuffle,
        seed,
        limit == null ? OptionalLong.empty() : OptionalLong.of(limit),
        p,
        kinds);
  }

  private static List<ImageRecord> take(ImageSource source, int n) {
    List<ImageRecord> out = new ArrayList<>();
    for (int i = 0; i < n && source.hasNext(); i++) {
      out.add(source.next());
    }
    return out;
  }

  private static List<String> ids(List<ImageRecord> images) {
    return images.stream().map(ImageRecord::id).toList();
  }

  @Test
  void aScenarioSetsPhasesLengthAndIdsAndKeepsTheAnomalyRate() {
    var scenario = dev.vaestream.core.scenario.Scenario.builtIns(300).get("recurring");
    StreamPlan p = plan(1, false, false, 5, null, 0.05, allKinds());
    ImageSource source = new ImageSource(test, p, scenario, () -> 7L);
    assertThat(source.total()).hasValue(900);
    List<ImageRecord> all = take(source, 1000);
    assertThat(all).hasSize(900);
    assertThat(all.get(0).phase()).isEqualTo("A");
    assertThat(all.get(300).phase()).isEqualTo("B");
    assertThat(all.get(899).phase()).isEqualTo("A");
    assertThat(all.get(42).id()).endsWith(":42");
    assertThat(Set.copyOf(ids(all))).hasSize(900);
    assertThat(anomalyIds(all)).hasSizeBetween(20, 80);
    List<ImageRecord> again = take(new ImageSource(test, p, scenario, () -> 7L), 900);
    for (int i = 0; i < 900; i++) {
      assertThat(again.get(i).pixels()).isEqualTo(all.get(i).pixels());
    }
    StreamPlan limited = plan(1, false, false, 5, 100L, 0, allKinds());
    assertThat(new ImageSource(test, limited, scenario, () -> 7L).total()).hasValue(100);
  }

  @Test
  void onePassSendsEveryImageInIndexOrderWithItsLabelAndPixels() {
    ImageSource source = new ImageSource(test, StreamPlan.onePass(), () -> 1234L);
    assertThat(source.total()).hasValue(10_000);

    List<ImageRecord> all = take(source, 20_000);

    assertThat(all).hasSize(10_000);
    assertThat(source.hasNext()).isFalse();
    assertThatThrownBy(source::next).isInstanceOf(NoSuchElementException.class);
    for (int i = 0; i < all.size(); i++) {
      ImageRecord image = all.get(i);
      assertThat(image.id()).isEqualTo("test:" + i + ":0");
      assertThat(image.index()).isEqualTo(i);
      assertThat(image.split()).isEqualTo(MnistSplit.TEST);
      assertThat(image.label()).isEqualTo(test.label(i));
      assertThat(image.pixels()).isEqualTo(test.image(i));
      assertThat(image.anomaly()).isNull();
      assertThat(image.producedAtMs()).isEqualTo(1234L);
    }
  }

  @Test
  void epochsRepeatTheSplitWithThePassNumberInTheId() {
    ImageSource source =
        new ImageSource(test, plan(3, false, false, 1, null, 0, allKinds()), () -> 0L);

    List<ImageRecord> all = take(source, 100_000);

    assertThat(all).hasSize(30_000);
    assertThat(all.get(0).id()).isEqualTo("test:0:0");
    assertThat(all.get(10_000).id()).isEqualTo("test:0:1");
    assertThat(all.get(29_999).id()).isEqualTo("test:9999:2");
    assertThat(new HashSet<>(ids(all))).hasSize(30_000);
  }

  @Test
  void loopWithLimitStopsAtTheLimitAcrossPasses() {
    ImageSource source =
        new ImageSource(test, plan(1, true, true, 7, 25_000L, 0, allKinds()), () -> 0L);
    assertThat(source.total()).hasValue(25_000);

    List<ImageRecord> all = take(source, 100_000);

    assertThat(all).hasSize(25_000);
    assertThat(source.hasNext()).isFalse();
    assertThat(all.subList(0, 10_000)).allMatch(r -> r.id().endsWith(":0"));
    assertThat(all.subList(10_000, 20_000)).allMatch(r -> r.id().endsWith(":1"));
    assertThat(all.subList(20_000, 25_000)).allMatch(r -> r.id().endsWith(":2"));
    assertThat(new HashSet<>(ids(all))).hasSize(25_000);
  }

  @Test
  void loopWithoutLimitNeverEnds() {
    ImageSource source =
        new ImageSource(test, plan(1, true, false, 7, null, 0, allKinds()), () -> 0L);
    assertThat(source.total()).isEmpty();

    List<ImageRecord> all = take(source, 35_000);

    assertThat(all).hasSize(35_000);
    assertThat(source.hasNext()).isTrue();
    assertThat(all.get(34_999).id()).isEqualTo("test:4999:3");
  }

  @Test
  void shuffleIsAPermutationPerPassAndReproducibleFromTheSeed() {
    StreamPlan seeded = plan(2, false, true, 99, null, 0, allKinds());
    List<String> first = ids(take(new ImageSource(test, seeded, () -> 0L), 20_000));
    List<String> again = ids(take(new ImageSource(test, seeded, () -> 0L), 20_000));
    List<String> otherSeed =
        ids(
            take(
                new ImageSource(test, plan(2, false, true, 100, null, 0, allKinds()), () -> 0L),
                20_000));

    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first).containsExactlyInAnyOrderElementsOf(first);
    // Each pass holds every index once, in a new order.
    List<String> pass0 = first.subList(0, 10_000);
    List<String> pass1 = first.subList(10_000, 20_000);
    assertThat(new HashSet<>(pass0)).hasSize(10_000);
    assertThat(pass0.stream().map(id -> id.substring(0, id.lastIndexOf(':'))).toList())
        .isNotEqualTo(pass1.stream().map(id -> id.substring(0, id.lastIndexOf(':'))).toList());
    assertThat(pass0)
        .isNotEqualTo(ids(take(new ImageSource(test, StreamPlan.onePass(), () -> 0L), 10_000)));
  }

  @Test
  void shuffledImagesStillCarryTheirOwnLabelAndPixels() {
    ImageSource source =
        new ImageSource(test, plan(1, false, true, 3, 500L, 0, allKinds()), () -> 0L);
    for (ImageRecord image : take(source, 500)) {
      assertThat(image.label()).isEqualTo(test.label(image.index()));
      assertThat(image.pixels()).isEqualTo(test.image(image.index()));
      assertThat(image.id()).isEqualTo("test:" + image.index() + ":0");
    }
  }

  @Test
  void injectedFractionAndKindsMatchThePlan() {
    Set<AnomalyKind> kinds = EnumSet.of(AnomalyKind.INVERTED, AnomalyKind.PATCH);
    ImageSource source = new ImageSource(test, plan(1, false, true, 5, null, 0.1, kinds), () -> 0L);

    List<ImageRecord> all = take(source, 10_000);

    List<ImageRecord> anomalies = all.stream().filter(r -> r.anomaly() != null).toList();
    // Binomial(10000, 0.1): mean 1000, sd 30; five sd either way.
    assertThat(anomalies).hasSizeBetween(850, 1150);
    assertThat(anomalies)
        .extracting(ImageRecord::anomaly)
        .containsOnly(AnomalyKind.INVERTED, AnomalyKind.PATCH);
    long inverted = anomalies.stream().filter(r -> r.anomaly() == AnomalyKind.INVERTED).count();
    assertThat(inverted).isBetween(anomalies.size() / 2L - 120, anomalies.size() / 2L + 120);
    for (ImageRecord anomaly : anomalies) {
      // The anomaly keeps the source digit's identity.
      assertThat(anomaly.label()).isEqualTo(test.label(anomaly.index()));
      assertThat(anomaly.split()).isEqualTo(MnistSplit.TEST);
      assertThat(anomaly.pixels()).isNotEqualTo(test.image(anomaly.index()));
      if (anomaly.anomaly() == AnomalyKind.INVERTED) {
        assertThat(anomaly.pixels())
            .isEqualTo(AnomalyKind.INVERTED.apply(test.image(anomaly.index()), 0));
      }
    }
    for (ImageRecord digit : all) {
      if (digit.anomaly() == null) {
        assertThat(digit.pixels()).isEqualTo(test.image(digit.index()));
      }
    }
  }

  @Test
  void anomalyDrawsAreReproducibleAndIndependentOfOrderAndLimit() {
    Set<AnomalyKind> kinds = EnumSet.allOf(AnomalyKind.class);
    List<ImageRecord> shuffled =
        take(new ImageSource(test, plan(1, false, true, 11, null, 0.2, kinds), () -> 0L), 10_000);
    List<ImageRecord> ordered =
        take(new ImageSource(test, plan(1, false, false, 11, null, 0.2, kinds), () -> 0L), 10_000);
    List<ImageRecord> otherSeed =
        take(new ImageSource(test, plan(1, false, false, 12, null, 0.2, kinds), () -> 0L), 10_000);

    Set<String> anomalous = anomalyIds(shuffled);
    assertThat(anomalyIds(ordered)).isEqualTo(anomalous);
    assertThat(anomalyIds(otherSeed)).isNotEqualTo(anomalous);
    for (ImageRecord image : shuffled) {
      ImageRecord same = ordered.get(image.index());
      assertThat(image.anomaly()).isEqualTo(same.anomaly());
      assertThat(image.pixels()).isEqualTo(same.pixels());
    }
  }

  @Test
  void aFlipIsNeverInjectedWhereItLeavesTheDigitAsItWas() {
    // An upside-down 0, 1, 3 or 8 is still that digit: labelled an anomaly it would be a lie.
    List<ImageRecord> all =
        take(
            new ImageSource(
                test,
                plan(1, false, false, 1, 2000L, 1, EnumSet.of(AnomalyKind.FLIPPED)),
                () -> 0L),
            2000);
    for (ImageRecord r : all) {
      int digit = test.label(r.index());
      if (digit == 0 || digit == 1 || digit == 3 || digit == 8) {
        assertThat(r.anomaly()).isNull();
        assertThat(r.pixels()).isEqualTo(test.image(r.index()));
      } else {
        assertThat(r.anomaly()).isEqualTo(AnomalyKind.FLIPPED);
      }
    }
    // With other kinds to choose from, such a digit gets one of them instead.
    assertThat(
            take(
                new ImageSource(
                    test,
                    plan(
                        1,
                        false,
                        false,
                        1,
                        2000L,
                        1,
                        EnumSet.of(AnomalyKind.FLIPPED, AnomalyKind.NOISE)),
                    () -> 0L),
                2000))
        .allMatch(r -> r.anomaly() != null)
        .filteredOn(r -> test.label(r.index()) == 1)
        .allMatch(r -> r.anomaly() == AnomalyKind.NOISE);
  }

  @Test
  void rateZeroInjectsNothingAndRateOneReplacesEverything() {
    assertThat(
            take(
                new ImageSource(test, plan(1, false, false, 1, 2000L, 0, allKinds()), () -> 0L),
                2000))
        .allMatch(r -> r.anomaly() == null);
    assertThat(
            take(
                new ImageSource(
                    test,
                    plan(1, false, false, 1, 2000L, 1, EnumSet.of(AnomalyKind.NOISE)),
                    () -> 0L),
                2000))
        .allMatch(r -> r.anomaly() == AnomalyKind.NOISE);
  }

  @Test
  void planRejectsBadValuesNamingTheFlag() {
    assertThatThrownBy(() -> plan(0, false, false, 1, null, 0, allKinds()))
        .hasMessageContaining("--epochs");
    assertThatThrownBy(() -> plan(1, false, false, 1, 0L, 0, allKinds()))
        .hasMessageContaining("--limit");
    assertThatThrownBy(() -> plan(1, false, false, 1, null, 1.5, allKinds()))
        .hasMessageContaining("--anomaly-rate");
    assertThatThrownBy(() -> plan(1, false, false, 1, null, Double.NaN, allKinds()))
        .hasMessageContaining("--anomaly-rate");
    assertThatThrownBy(() -> plan(1, false, false, 1, null, 0.1, EnumSet.noneOf(AnomalyKind.class)))
        .hasMessageContaining("--anomaly-kinds");
  }

  private static Set<String> anomalyIds(List<ImageRecord> images) {
    Set<String> ids = new HashSet<>();
    for (ImageRecord image : images) {
      if (image.anomaly() != null) {
        ids.add(image.id() + "/" + image.anomaly());
      }
    }
    return ids;
  }

  private static Set<AnomalyKind> allKinds() {
    return EnumSet.allOf(AnomalyKind.class);
  }
}
