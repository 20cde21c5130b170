package dev.vaestream.scorer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
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

  private static byte[] score(int i, double score, boolean flagged, String kind) {
    return ScoreRecordCodec.encode(
        new ScoreRecord(
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
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("scores", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "stats", new StringDeserializer(), Serdes.ByteArray().deserializer());

      // Minute 0: 100 digits with scores 0.001..0.100 (flagged above 0.05), 10 noise (all
      // flagged), 10 rotated (half flagged), one garbage value.
      for (int i = 1; i <= 100; i++) {
        double s = i / 1000.0;
        in.pipeInput(new TestRecord<>(key(i), score(i, s, s > 0.05, null), T0.plusMillis(i * 100)));
      }
      for (int i = 0; i < 10; i++) {
        in.pipeInput(new TestRecord<>(key(i), score(i, 0.2, true, "noise"), T0.plusSeconds(20)));
        in.pipeInput(
            new TestRecord<>(
                key(i), score(i, 0.04 + i * 0.004, i >= 5, "rotated"), T0.plusSeconds(30)));
      }
      in.pipeInput(new TestRecord<>(key(0), "garbage".getBytes(), T0.plusSeconds(40)));
      assertThat(out.isEmpty()).as("nothing before the window closes").isTrue();

      // Minute 1 starts; minute 0 is over only after its 10 s grace.
      in.pipeInput(new TestRecord<>(key(1), score(1, 0.01, false, null), T0.plusSeconds(65)));
      // A late record for minute 0, within grace, still counts.
      in.pipeInput(new TestRecord<>(key(2), score(2, 0.01, false, null), T0.plusSeconds(59)));
      in.pipeInput(new TestRecord<>(key(3), score(3, 0.01, false, null), T0.plusSeconds(71)));
      // Minute 0's partial has been merged, but the window closes only once the next one is
      // reported (a partition lagging by less than a window still gets in).
      assertThat(out.isEmpty()).isTrue();
      in.pipeInput(new TestRecord<>(key(4), score(4, 0.01, false, null), T0.plusSeconds(131)));

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
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("s", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "o", new StringDeserializer(), Serdes.ByteArray().deserializer());
      in.pipeInput(new TestRecord<>(key(1), score(1, 0.01, false, null), T0));
      in.pipeInput(new TestRecord<>(key(2), score(2, 0.02, false, null), T0.plusSeconds(10)));
      in.pipeInput(new TestRecord<>(key(3), score(3, 0.02, false, null), T0.plusSeconds(20)));
      in.pipeInput(new TestRecord<>(key(4), score(4, 0.02, false, null), T0.plusSeconds(30)));
      List<byte[]> values = out.readValuesToList();
      assertThat(values).hasSize(2);
      JsonNode first = JSON.readTree(values.get(0));
      assertThat(first.get("count").asLong()).isEqualTo(1);
      assertThat(first.get("ground_truth").isNull()).isTrue();
      assertThat(first.get("anomaly_rate").asDouble()).isZero();
    }
  }

  @Test
  void idlePartitionsReportTheirWindowsByTheWallClock(@TempDir Path dir) throws Exception {
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
                Map.of()),
            T0)) {
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("s", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              "o", new StringDeserializer(), Serdes.ByteArray().deserializer());
      in.pipeInput(new TestRecord<>(key(1), score(1, 0.01, false, null), T0.plusSeconds(1)));
      in.pipeInput(new TestRecord<>(key(2), score(2, 0.01, true, "noise"), T0.plusSeconds(2)));
      // No later score arrives; the wall clock passes the window's end plus grace.
      driver.advanceWallClockTime(Duration.ofSeconds(75));
      in.pipeInput(new TestRecord<>(key(3), score(3, 0.01, false, null), T0.plusSeconds(80)));
      driver.advanceWallClockTime(Duration.ofSeconds(60));
      List<byte[]> values = out.readValuesToList();
      assertThat(values).hasSize(1);
      JsonNode w = JSON.readTree(values.get(0));
      assertThat(w.get("count").asLong()).isEqualTo(2);
      assertThat(w.at("/ground_truth/kinds/noise/recall").asDouble()).isEqualTo(1.0);
    }
  }

  private static byte[] scoreByModel(
      int i, double score, boolean flagged, String kind, ScoreRecord.Drift drift) {
    return ScoreRecordCodec.encode(
        new ScoreRecord(
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
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("s", new ByteArraySerializer(), new ByteArraySerializer());
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
        in.pipeInput(
            new TestRecord<>(key(i), scoreByModel(i, 0.01, flag, kind, settled), T0.plusMillis(i)));
      }
      for (int k = 0; k < 30; k++, i++) {
        boolean flag = k < 18;
        String kind = k == 0 ? "noise" : null;
        in.pipeInput(
            new TestRecord<>(
                key(i), scoreByModel(i, 0.08, flag, kind, adapting), T0.plusMillis(i)));
      }
      for (int k = 0; k < 10; k++, i++) {
        in.pipeInput(new TestRecord<>(key(i), score(i, 0.01, k == 0, null), T0.plusMillis(i)));
      }
      in.pipeInput(new TestRecord<>(key(0), score(0, 0.01, false, null), T0.plusSeconds(10)));
      in.pipeInput(new TestRecord<>(key(0), score(0, 0.01, false, null), T0.plusSeconds(20)));

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

  private static byte[] key(int i) {
    return ("test:" + i + ":0").getBytes();
  }
}
