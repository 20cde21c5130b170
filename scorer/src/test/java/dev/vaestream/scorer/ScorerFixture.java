package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import dev.vaestream.localkafka.LocalKafka;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

/**
 * What the scorer's broker tests and its benchmark share: unique topics on the shared broker, a
 * scorer started on them, and readers and checks of what it wrote and committed.
 */
final class ScorerFixture {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private ScorerFixture() {}

  /** Unique topic and group names for one test on the shared broker. */
  record Names(
      String input, String scores, String dlq, String checkpoints, String stats, String group) {
    static Names unique(LocalKafka kafka, int inputPartitions) {
      String id = TestStreams.unique();
      Names n =
          new Names(
              "images-" + id, "scores-" + id, "dlq-" + id, "ckpt-" + id, "stats-" + id, "g-" + id);
      kafka.createTopic(n.input, inputPartitions);
      kafka.createTopic(n.checkpoints, 1, CheckpointTopic.topicConfigs());
      return n;
    }

    List<String> args(String... extra) {
      List<String> a =
          new ArrayList<>(
              List.of(
                  "--input-topic", input,
                  "--scores-topic", scores,
                  "--dlq-topic", dlq,
                  "--checkpoint-topic", checkpoints,
                  "--stats-topic", stats,
                  "--group-id", group,
                  "--http-host", "127.0.0.1",
                  "--http-port", "0"));
      if (!List.of(extra).contains("--instance-id")) {
        a.addAll(List.of("--instance-id", "it"));
      }
      a.addAll(List.of(extra));
      return a;
    }
  }

  /** A scorer in this JVM on {@code n}'s topics, with {@code extra} flags. */
  static ScorerService start(LocalKafka kafka, Names n, String... extra) {
    List<String> args = n.args(extra);
    args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers()));
    return ScorerService.start(ScorerCommandTest.parse(args.toArray(String[]::new)));
  }

  static List<ScoreRecord> readScores(LocalKafka kafka, String topic, int expected) {
    List<ScoreRecord> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        TestStreams.readCommitted(
            kafka.bootstrapServers(), topic, expected, TIMEOUT, Duration.ofMillis(500))) {
      assertThat(ScoreSchema.violations(r.value()))
          .as("schema of %s", new String(r.value()))
          .isEmpty();
      ScoreRecord s = ScoreRecordCodec.decode(r.value());
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.imageId());
      assertThat(r.timestamp()).isEqualTo(s.scoredAt());
      out.add(s);
    }
    return out;
  }

  /** Every image {@code from..to-1} scored exactly once, and nothing else. */
  static void assertExactlyOnce(List<ScoreRecord> scores, int from, int to) {
    Set<String> expected = new HashSet<>();
    for (int i = from; i < to; i++) {
      expected.add(TestStreams.image(i).id());
    }
    Set<String> seen = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    for (ScoreRecord s : scores) {
      if (!seen.add(s.imageId())) {
        duplicates.add(s.imageId());
      }
    }
    assertThat(duplicates).as("duplicates").isEmpty();
    assertThat(seen).as("every image scored").isEqualTo(expected);
  }

  static double counter(ScorerService s, String name, String tag, String value) {
    var search = s.registry().find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    Counter c = search.counter();
    return c == null ? -1 : c.count();
  }

  static long committedOffsets(Admin admin, String group) {
    try {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS)
          .values()
          .stream()
          .filter(o -> o != null)
          .mapToLong(o -> o.offset())
          .sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Admin admin(LocalKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}
