package dev.vaestream.scorer.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.record.ScoreRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class PartialStatisticsTest {
  private static ScoreRecord scored(long at, double score, boolean flagged, String kind) {
    return new ScoreRecord(
        new ScoreRecord.Source("test:1:0", 0, 1),
        new ScoreRecord.Verdict(score, 0.05, flagged),
        new ScoreRecord.Model(1, 0),
        new ScoreRecord.Truth(kind == null ? 4 : null, kind),
        ScoreRecord.Timing.of(0, at));
  }

  private static WindowStats value(ProducerRecord<byte[], byte[]> r) {
    return WindowStats.SERDE.deserializer().deserialize(r.topic(), r.value());
  }

  @Test
  void onePartialPerWindowStampedWithItsLatestScoreOldestFirst() {
    PartialStatistics p = new PartialStatistics(Duration.ofSeconds(10));
    assertThat(p.records("partials")).isEmpty();
    // Scored across a window boundary at 20 s, out of order.
    p.add(scored(20_500, 0.02, false, null));
    p.add(scored(19_000, 0.01, false, null));
    p.add(scored(19_900, 0.30, true, "noise"));
    p.add(scored(21_000, 0.03, true, null));

    List<ProducerRecord<byte[], byte[]>> records = p.records("partials");
    assertThat(records).hasSize(2);
    assertThat(records)
        .allSatisfy(
            r -> {
              assertThat(r.topic()).isEqualTo("partials");
              assertThat(new String(r.key(), StandardCharsets.UTF_8))
                  .isEqualTo(PartialStatistics.KEY);
              assertThat(r.partition()).as("partitioned by the key").isNull();
            });
    assertThat(records.get(0).timestamp()).isEqualTo(19_900);
    assertThat(records.get(1).timestamp()).isEqualTo(21_000);
    WindowStats first = value(records.get(0));
    assertThat(first.count()).isEqualTo(2);
    assertThat(first.flagged()).isEqualTo(1);
    assertThat(first.kinds()).containsOnlyKeys("noise");
    WindowStats second = value(records.get(1));
    assertThat(second.count()).isEqualTo(2);
    assertThat(second.flagged()).isEqualTo(1);
    assertThat(second.min()).isEqualTo(0.02);

    p.clear();
    assertThat(p.records("partials")).isEmpty();
  }
}
