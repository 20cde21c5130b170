package dev.vaestream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.Test;

/** What a topic check reports, decided without a broker. */
class TopicDifferencesTest {
  private static final TopicDefinition WANTED =
      new TopicDefinition("scores", 3, (short) 3, Map.of("cleanup.policy", "delete"));

  private static Config config(String policy, String minIsr) {
    return new Config(
        List.of(
            new ConfigEntry("cleanup.policy", policy),
            new ConfigEntry("min.insync.replicas", minIsr)));
  }

  @Test
  void aTopicAsDefinedHasNoDifferences() {
    assertThat(TopicDifferences.of(WANTED, 3, 3, config("delete", "2"))).isEmpty();
    assertThat(TopicDifferences.minInSyncReplicas(config("delete", " 2 "))).isEqualTo(2);
    assertThat(TopicDifferences.minInSyncReplicas(null)).isZero();
  }

  @Test
  void everyDifferenceIsNamedWithWhatItMeans() {
    assertThat(TopicDifferences.of(WANTED, 1, 1, config("compact", "1")))
        .containsExactly(
            "topic scores has 1 partition(s), defined with 3; used as it is (fewer partitions"
                + " limit how many consumers can share the load)",
            "topic scores has replication factor 1, defined with 3; used as it is (less durable"
                + " than defined)",
            "topic scores has cleanup.policy=compact, defined with cleanup.policy=delete");
    assertThat(TopicDifferences.of(WANTED, 6, 3, null))
        .as("configs not described: only what the description shows")
        .containsExactly(
            "topic scores has 6 partition(s), defined with 3; used as it is (extra partitions are"
                + " harmless)");
  }

  @Test
  void durabilityWarningsOnlyWhereTheClusterCouldDoBetter() {
    assertThat(TopicDifferences.durabilityWarnings("scores", 1, 1, 1)).isEmpty();
    assertThat(TopicDifferences.durabilityWarnings("scores", 3, 3, 2)).isEmpty();
    assertThat(TopicDifferences.durabilityWarnings("scores", 3, 3, -1)).as("unknown").isEmpty();
    assertThat(TopicDifferences.durabilityWarnings("scores", 3, 1, 1))
        .hasSize(2)
        .anySatisfy(w -> assertThat(w).contains("replication factor 1 on a cluster of 3"))
        .anySatisfy(w -> assertThat(w).contains("min.insync.replicas=1"));
  }
}
