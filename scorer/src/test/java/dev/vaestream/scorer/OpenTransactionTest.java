package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OpenTransactionTest {
  private final TopicPartition p0 = new TopicPartition("images", 0);
  private final TopicPartition p1 = new TopicPartition("images", 1);

  @Test
  void rewindsToTheFirstOffsetAndCommitsPastTheLastOverSeveralPolls() {
    OpenTransaction t = new OpenTransaction(ScorerSettings.DEFAULT_STATS_WINDOW);
    t.begin(100);
    t.consumed(p0, 10, 19);
    t.consumed(p1, 5, 5);
    t.consumed(p0, 20, 29);
    assertThat(t.firstOffsets()).isEqualTo(Map.of(p0, 10L, p1, 5L));
    assertThat(t.offsetsToCommit())
        .isEqualTo(Map.of(p0, new OffsetAndMetadata(30), p1, new OffsetAndMetadata(6)));
    assertThat(t.ageNanos(350)).isEqualTo(250);
  }

  @Test
  void countsUntilCleared() {
    OpenTransaction t = new OpenTransaction(ScorerSettings.DEFAULT_STATS_WINDOW);
    t.begin(0);
    t.scored(32, 2);
    t.scored(8, 1);
    t.deadLettered("bad_version");
    t.deadLettered("bad_version");
    assertThat(t.isOpen()).isTrue();
    assertThat(t.images()).isEqualTo(40);
    assertThat(t.anomalies()).isEqualTo(3);
    assertThat(t.deadLetters()).isEqualTo(Map.of("bad_version", 2L));
    t.clear();
    assertThat(t.isOpen()).isFalse();
    assertThat(t.images()).isZero();
    assertThat(t.firstOffsets()).isEmpty();
    assertThat(t.offsetsToCommit()).isEmpty();
  }
}
