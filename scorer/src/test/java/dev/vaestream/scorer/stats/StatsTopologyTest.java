package dev.vaestream.scorer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.record.ScoreRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsTopologyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private static ScoreRecord score(int i, double score, boolean flagged, String kind) {
    return (new ScoreRecord(
        new ScoreRecord.Source("test:" + i + ":0", 0, i),
        new ScoreRecord.Verdict(score, 0.05, flagged),
        new ScoreRecord.Model(10, 0),
        new ScoreRecord.Truth(3, kind),
        ScoreRecord.Timing.of(0, 0)));
  }

  @Test
  void oneRecordPerClosedMinuteWithQuantilesAndGroundTruth(@TempDir Path dir) throws Exception {
    List<StatsTopology.ClosedWindow> closed = new ArrayList<>();
    StatsMetrics metrics = new StatsMetrics();
    metrics.bindTo(new SimpleMeterRegistry());
    var topology =
        StatsTopology.buildTopology(
            "scores",
            "stats",
            Duration.ofMinutes(1),
            Duration.ofSeconds(10),
            w -> {
              closed.add(w);
              metrics.accept(w);
            });
    Properties config =
        StatsTopology.streamsConfig(
            "stats-test",
            dir,
            Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"),
            Map.of());
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, config)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic("scores", new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "stats", new StringDeserializer(), Serdes.ByteArray().deserializer());

      // Minute 0: 100 digits with scores 0.001..0.100 (flagged above 0.05), 10 noise (all
      // flagged), 10 rotated (half flagged), one garbage value.
      for (int i = 1; i <= 100; i++) {
        double s = i / 1000.0;
        pipe(in, score(i, s, s > 0.05, null), T0.plusMillis(i * 100));
      }
      for (int i = 0; i < 10; i++) {
        pipe(in, score(i, 0.2, true, "noise"), T0.plusSeconds(20));
        pipe(in, score(i, 0.04 + i * 0.004, i >= 5, "rotated"), T0.plusSeconds(30));
      }
      in.pipeInput(
          new TestRecord<>(PartialStatistics.KEY, "garbage".getBytes(), T0.plusSeconds(40)));
      assertThat(out.isEmpty()).as("nothing before the window closes").isTrue();

      // Minute 1 starts; minute 0 is over only after its 10 s grace.
      pipe(in, score(1, 0.01, false, null), T0.plusSeconds(65));
      // A late partial for minute 0, within grace, still counts.
      pipe(in, score(2, 0.01, false, null), T0.plusSeconds(59));
      assertThat(out.isEmpty()).as("within minute 0's grace").isTrue();
      pipe(in, score(3, 0.01, false, null), T0.plusSeconds(71));
      // Past the grace: minute 0 closed, and a partial for it now is dropped.
      pipe(in, score(4, 9.0, true, null), T0.plusSeconds(58));

      List<org.apache.kafka.streams.KeyValue<String, byte[]>> windows = out.readKeyValuesToList();
      assertThat(windows).hasSize(1);
      assertThat(windows.get(0).key).isEqualTo("2030-01-01T00:00:00Z");
      JsonNode w = JSON.readTree(windows.get(0).value);
      assertThat(w.get("schema_version").asInt()).isEqualTo(1);
      assertThat(w.get("window_start").asLong()).isEqualTo(T0.toEpochMilli());
      assertThat(w.get("window_end").asLong()).isEqualTo(T0.plusSeconds(60).toEpochMilli());
      assertThat(w.get("count").asLong()).isEqualTo(121);
      long flagged = 50 + 10 + 5;
      assertThat(w.get("anomalies").asLong()).isEqualTo(flagged);
      assertThat(w.get("anomaly_rate").asDouble()).isCloseTo(flagged / 121.0, within(1e-9));
      assertThat(w.at("/score/p50").asDouble()).isCloseTo(0.055, within(0.055 * 0.05));
      assertThat(w.at("/score/max").asDouble()).isEqualTo(0.2);
      JsonNode gt = w.get("ground_truth");
      assertThat(gt.get("positives").asLong()).isEqualTo(20);
      assertThat(gt.get("negatives").asLong()).isEqualTo(101);
      assertThat(gt.get("true_positives").asLong()).isEqualTo(15);
      assertThat(gt.get("false_positives").asLong()).isEqualTo(50);
      assertThat(gt.get("precision").asDouble()).isCloseTo(15 / 65.0, within(1e-9));
      assertThat(gt.get("recall").asDouble()).isCloseTo(0.75, within(1e-9));
      assertThat(gt.at("/kinds/noise/recall").asDouble()).isEqualTo(1.0);
      assertThat(gt.at("/kinds/noise/precision").asDouble()).isCloseTo(10 / 60.0, within(1e-9));
      assertThat(gt.at("/kinds/rotated/recall").asDouble()).isEqualTo(0.5);
      assertThat(gt.get("auroc").asDouble()).isBetween(0.7, 1.0);

      assertThat(closed).hasSize(1);
      assertThat(metrics.latest().stats().count()).isEqualTo(121);
    }
  }

  @Test
  void windowsWithoutInjectedAnomaliesHaveNoGroundTruth(@TempDir Path dir) throws Exception {
    var topology =
        StatsTopology.buildTopology("s", "o", Duration.ofSeconds(10), Duration.ZERO, w -> {});
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            topology,
            StatsTopology.streamsConfig(
                "stats-test-2",
                dir,
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:1"),
                Map.of()))) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic("s", new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "o", new StringDeserializer(), Serdes.ByteArray().deserializer());
      pipe(in, score(1, 0.01, false, null), T0);
      pipe(in, score(2, 0.02, false, null), T0.plusSeconds(10));
      pipe(in, score(3, 0.02, false, null), T0.plusSeconds(20));
      pipe(in, score(4, 0.02, false, null), T0.plusSeconds(30));
      // No grace: each window closes when the first partial of the next one arrives.
      List<byte[]> values = out.readValuesToList();
      assertThat(values).hasSize(3);
      JsonNode first = JSON.readTree(values.get(0));
      assertThat(first.get("count").asLong()).isEqualTo(1);
      assertThat(first.get("ground_truth").isNull()).isTrue();
      assertThat(first.get("anomaly_rate").asDouble()).isZero();
    }
  }

  /** Several scorers' transactions, each a partial of many scores, make one window. */
  @Test
  void partialsOfSeveralScorersMergeIntoOneWindow(@TempDir Path dir) throws Exception {
    var topology =
        StatsTopology.buildTopology(
            "s", "o", Duration.ofMinutes(1), Duration.ofSeconds(10), w -> {});
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            topology,
            StatsTopology.streamsConfig(
                "stats-test-3",
                dir,
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:1"),
                Map.of()))) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic("s", new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "o", new StringDeserializer(), Serdes.ByteArray().deserializer());
      // Three scorers, interleaved, each committing transactions of 10 scores; scorer k's scores
      // are 0.01 * (k + 1), every tenth of scorer 2's is a flagged noise image.
      for (int tx = 0; tx < 5; tx++) {
        for (int k = 0; k < 3; k++) {
          PartialStatistics partial = new PartialStatistics(Duration.ofMinutes(1));
          for (int i = 0; i < 10; i++) {
            long at = T0.plusSeconds(tx * 10L + k).toEpochMilli() + i;
            boolean noise = k == 2 && i == 0;
            partial.add(
                new ScoreRecord(
                    new ScoreRecord.Source("test:" + i + ":0", k, i),
                    new ScoreRecord.Verdict(noise ? 0.5 : 0.01 * (k + 1), 0.05, noise),
                    new ScoreRecord.Model(10, 0),
                    new ScoreRecord.Truth(3, noise ? "noise" : null),
                    ScoreRecord.Timing.of(0, at)));
          }
          for (var r : partial.records("s")) {
            in.pipeInput(
                new TestRecord<>(
                    PartialStatistics.KEY, r.value(), Instant.ofEpochMilli(r.timestamp())));
          }
        }
      }
      pipe(in, score(0, 0.01, false, null), T0.plusSeconds(70));
      List<byte[]> values = out.readValuesToList();
      assertThat(values).hasSize(1);
      JsonNode w = JSON.readTree(values.get(0));
      assertThat(w.get("count").asLong()).isEqualTo(150);
      assertThat(w.get("anomalies").asLong()).isEqualTo(5);
      assertThat(w.at("/score/min").asDouble()).isEqualTo(0.01);
      assertThat(w.at("/score/max").asDouble()).isEqualTo(0.5);
      assertThat(w.at("/ground_truth/kinds/noise/count").asLong()).isEqualTo(5);
      assertThat(w.at("/ground_truth/negatives").asLong()).isEqualTo(145);
    }
  }

  private static ScoreRecord scoreByModel(
      int i, double score, boolean flagged, String kind, ScoreRecord.Drift drift) {
    return (new ScoreRecord(
        new ScoreRecord.Source("test:" + i + ":0", 0, i),
        new ScoreRecord.Verdict(score, 0.05, flagged),
        new ScoreRecord.Model(10, 0),
        new ScoreRecord.Truth(3, kind),
        ScoreRecord.Timing.of(0, 0),
        drift));
  }

  @Test
  void flagsWhileAdaptingAreReportedApartFromFlagsOnASettledModel(@TempDir Path dir)
      throws Exception {
    List<StatsTopology.ClosedWindow> closed = new ArrayList<>();
    StatsMetrics metrics = new StatsMetrics();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    var topology =
        StatsTopology.buildTopology(
            "s",
            "o",
            Duration.ofSeconds(10),
            Duration.ZERO,
            w -> {
              closed.add(w);
              metrics.accept(w);
            });
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            topology,
            StatsTopology.streamsConfig(
                "stats-test-4",
                dir,
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:1"),
                Map.of()))) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic("s", new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "o", new StringDeserializer(), Serdes.ByteArray().deserializer());
      ScoreRecord.Drift settled = new ScoreRecord.Drift(0, 90_000, false);
      ScoreRecord.Drift adapting = new ScoreRecord.Drift(1, 640, true);
      // 20 images by a settled model (2 flagged: 1 real digit, 1 noise), 30 by an adapting one
      // (18 flagged: 17 real digits after the change, 1 noise), and 10 by a model without drift
      // context (a v1 checkpoint; 1 flagged), which count as settled.
      int i = 0;
      for (int k = 0; k < 20; k++, i++) {
        boolean flag = k < 2;
        String kind = k == 1 ? "noise" : null;
        pipe(in, scoreByModel(i, 0.01, flag, kind, settled), T0.plusMillis(i));
      }
      for (int k = 0; k < 30; k++, i++) {
        boolean flag = k < 18;
        String kind = k == 0 ? "noise" : null;
        pipe(in, scoreByModel(i, 0.08, flag, kind, adapting), T0.plusMillis(i));
      }
      for (int k = 0; k < 10; k++, i++) {
        pipe(in, score(i, 0.01, k == 0, null), T0.plusMillis(i));
      }
      // No grace: the first partial of the next window closes this one.
      pipe(in, score(0, 0.01, false, null), T0.plusSeconds(10));

      List<byte[]> values = out.readValuesToList();
      assertThat(values).hasSize(1);
      JsonNode w = JSON.readTree(values.get(0));
      assertThat(w.get("count").asLong()).isEqualTo(60);
      assertThat(w.get("anomalies").asLong()).isEqualTo(21);
      assertThat(w.at("/adapting/count").asLong()).isEqualTo(30);
      assertThat(w.at("/adapting/anomalies").asLong()).isEqualTo(18);
      assertThat(w.at("/adapting/anomaly_rate").asDouble()).isCloseTo(0.6, within(1e-9));
      assertThat(w.at("/settled/count").asLong()).isEqualTo(30);
      assertThat(w.at("/settled/anomalies").asLong()).isEqualTo(3);
      assertThat(w.at("/settled/anomaly_rate").asDouble()).isCloseTo(0.1, within(1e-9));
      assertThat(w.at("/ground_truth/false_positives").asLong()).isEqualTo(1 + 17 + 1);
      assertThat(w.at("/ground_truth/false_positives_adapting").asLong()).isEqualTo(17);
      assertThat(
              registry
                  .get("vae.scorer.stats.anomaly.rate.model")
                  .tag("model", "adapting")
                  .gauge()
                  .value())
          .isCloseTo(0.6, within(1e-9));
      assertThat(
              registry
                  .get("vae.scorer.stats.anomaly.rate.model")
                  .tag("model", "settled")
                  .gauge()
                  .value())
          .isCloseTo(0.1, within(1e-9));
    }
  }

  /**
   * Pipes what a scorer writes for a transaction holding just {@code score}, scored {@code at}: a
   * partial of that one score, stamped {@code at}.
   */
  private static void pipe(TestInputTopic<String, byte[]> in, ScoreRecord score, Instant at) {
    WindowStats partial = new WindowStats().add(ScoreObservation.of(score));
    in.pipeInput(
        new TestRecord<>(
            PartialStatistics.KEY, WindowStats.SERDE.serializer().serialize("s", partial), at));
  }
}
