package dev.vaestream.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.record.ScoreRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftMetadataTest {

  @Test
  void adaptingFromADetectionUntilTheAdaptWindowIsLearned() {
    assertThat(read("1", "0", "5000")).isEqualTo(new ScoreRecord.Drift(1, 0, true));
    assertThat(read("1", "4999", "5000").adapting()).isTrue();
    assertThat(read("1", "5000", "5000").adapting()).isFalse();
    assertThat(read("3", "100", "50").adapting()).isFalse();
  }

  @Test
  void neverAdaptingBeforeTheFirstDetection() {
    assertThat(read("0", "10", "5000")).isEqualTo(new ScoreRecord.Drift(0, 10, false));
  }

  @Test
  void theTrainersDefaultWindowWhenTheCheckpointHasNone() {
    Map<String, String> m = Map.of(DriftMetadata.EVENTS, "1", DriftMetadata.IMAGES_SINCE, "4999");
    assertThat(DriftMetadata.read(m).adapting()).isTrue();
    m = Map.of(DriftMetadata.EVENTS, "1", DriftMetadata.IMAGES_SINCE, "5000");
    assertThat(DriftMetadata.read(m).adapting()).isFalse();
  }

  @Test
  void noContextFromOfflineOrVersionOneOrGarbledMetadata() {
    assertThat(DriftMetadata.read(Map.of())).isNull();
    assertThat(DriftMetadata.read(Map.of(DriftMetadata.EVENTS, "1"))).isNull();
    assertThat(read("one", "0", "5000")).isNull();
    assertThat(read("1", "-3", "5000")).isNull();
    assertThat(read("1", "0", "lots")).isNull();
  }

  private static ScoreRecord.Drift read(String events, String since, String window) {
    return DriftMetadata.read(
        Map.of(
            DriftMetadata.EVENTS,
            events,
            DriftMetadata.IMAGES_SINCE,
            since,
            DriftMetadata.ADAPT_IMAGES,
            window));
  }
}
