package dev.vaestream.scorer;

import static dev.vaestream.scorer.ScorerFixture.TIMEOUT;
import static dev.vaestream.scorer.ScorerFixture.admin;
import static dev.vaestream.scorer.ScorerFixture.assertExactlyOnce;
import static dev.vaestream.scorer.ScorerFixture.await;
import static dev.vaestream.scorer.ScorerFixture.committedOffsets;
import static dev.vaestream.scorer.ScorerFixture.counter;
import static dev.vaestream.scorer.ScorerFixture.readScores;
import static dev.vaestream.scorer.ScorerFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.record.DeadLetters;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.scorer.ScorerFixture.Names;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer against a real in-JVM broker: waiting for the first model, scoring every image once,
 * hot swaps under load, checkpoint rejections, dead letters, the three threshold options, the
 * shipped schema, the HTTP endpoints and the in-process statistics stream.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "it-signing-key";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void waitsForTheFirstModelThenScoresEveryImageOnce(LocalKafka kafka) throws Exception {
    Names n = Names.unique(kafka, 2);
    Checkpoint first = TestCheckpoints.first();
    try (ScorerService scorer = start(kafka, n, "--no-stats");
        Producer<byte[], byte[]> images = TestStreams.producer(kafka.bootstrapServers());
        Producer<byte[], byte[]> checkpoints = TestCheckpoints.producer(kafka.bootstrapServers());
        Admin admin = admin(kafka)) {
      TestStreams.produce(images, n.input(), 0, 300);
      await(
          () -> scorer.health().state() == ScorerHealth.State.WAITING_FOR_MODEL,
          "waiting for model");
      // Without a model the scorer does not consume at all. Nothing was written to the scores
      // topic, not even an aborted transaction (its end offset is 0), and no offset committed;
      // that nothing was scored before the model is proven below: every one of the 300 images is
      // scored exactly once, all by the first model.
      JsonNode health = JSON.readTree(get(scorer, "/health", 200));
      assertThat(health.get("status").asText()).isEqualTo("waiting for model");
      JsonNode ready = JSON.readTree(get(scorer, "/ready", 503));
      assertThat(ready.get("status").asText()).isEqualTo("waiting for model");
      assertThat(endOffset(admin, n.scores())).as("nothing written before a model").isZero();
      assertThat(committedOffsets(admin, n.group())).as("no offsets committed").isZero();
      assertThat(scorer.health().state()).isEqualTo(ScorerHealth.State.WAITING_FOR_MODEL);

      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 0, first, CheckpointCodec.unsigned().encode(first));
      List<ScoreRecord> scores = readScores(kafka, n.scores(), 300);
      assertExactlyOnce(scores, 0, 300);
      double p99 = first.calibration().quantile(0.99).getAsDouble();
      assertThat(scores)
          .allSatisfy(
              s -> {
                assertThat(s.modelStep()).isEqualTo(TestCheckpoints.STEPS_A);
                assertThat(s.threshold()).as("default: calibration p99").isEqualTo(p99);
                assertThat(s.anomaly()).isEqualTo(s.score() > p99);
              });
      assertThat(scores).anyMatch(ScoreRecord::anomaly);
      await(() -> committedOffsets(admin, n.group()) == 300, "offsets committed");

      assertThat(JSON.readTree(get(scorer, "/ready", 200)).at("/details/model_step").asLong())
          .isEqualTo(TestCheckpoints.STEPS_A);
      byte[] png = getBytes(scorer, "/anomalies.png", 200);
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      String metrics = get(scorer, "/metrics", 200);
      assertThat(metrics)
          .contains("vae_scorer_images_total{service=\"scorer\"} 300.0")
          .contains("vae_scorer_score_milliscore_bucket")
          .contains("vae_scorer_latency_seconds_bucket")
          .contains("vae_scorer_latency_percentile_seconds{quantile=\"0.99\"")
          .contains("vae_scorer_model_step_steps{")
          .contains("kafka_consumer_fetch_manager_records_lag");
    }
  }

  @Test
  void swapsInANewerModelUnderLoadWithoutGapsAndPublishesStats(
      LocalKafka kafka, @TempDir Path state) throws Exception {
    Names n = Names.unique(kafka, 2);
    Checkpoint first = TestCheckpoints.first();
    Checkpoint second = TestCheckpoints.second();
    int total = 3000;
    try (ScorerService scorer =
            start(
                kafka,
                n,
                "--stats-window",
                "1s",
                "--stats-grace",
                "1s",
                "--stats-state-dir",
                state.toString(),
                "--stats-application-id",
                "stats-" + n.group());
        Producer<byte[], byte[]> images = TestStreams.producer(kafka.bootstrapServers());
        Producer<byte[], byte[]> checkpoints = TestCheckpoints.producer(kafka.bootstrapServers())) {
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 0, first, CheckpointCodec.unsigned().encode(first));
      await(() -> scorer.health().ready(), "ready");
      // About 1,000 images/s for 3 s; the newer model arrives after the first second.
      for (int i = 0; i < total; i += 100) {
        TestStreams.produce(images, n.input(), i, i + 100);
        if (i == 1000) {
          TestCheckpoints.publish(
              checkpoints, n.checkpoints(), 1, second, CheckpointCodec.unsigned().encode(second));
        }
        Thread.sleep(100);
      }
      List<ScoreRecord> scores = readScores(kafka, n.scores(), total);
      assertExactlyOnce(scores, 0, total);
      Map<Integer, List<ScoreRecord>> byPartition = new HashMap<>();
      scores.forEach(
          s -> byPartition.computeIfAbsent(s.partition(), p -> new ArrayList<>()).add(s));
      for (List<ScoreRecord> part : byPartition.values()) {
        part.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        for (int i = 1; i < part.size(); i++) {
          assertThat(part.get(i).modelStep())
              .as("model step never goes back within a partition")
              .isGreaterThanOrEqualTo(part.get(i - 1).modelStep());
        }
        assertThat(part.get(part.size() - 1).modelStep()).isEqualTo(TestCheckpoints.STEPS_B);
      }
      assertThat(scores.stream().map(ScoreRecord::modelStep).distinct())
          .containsExactlyInAnyOrder(
              (long) TestCheckpoints.STEPS_A, (long) TestCheckpoints.STEPS_B);
      double p99b = second.calibration().quantile(0.99).getAsDouble();
      assertThat(scores)
          .filteredOn(s -> s.modelStep() == TestCheckpoints.STEPS_B)
          .allSatisfy(s -> assertThat(s.threshold()).isEqualTo(p99b));
      assertThat(counter(scorer, "vae.scorer.checkpoint.swaps", null, null)).isEqualTo(2);

      // Statistics: 1-second windows close as the scores' timestamps move on (the last one stays
      // open: no later score moves stream time past it).
      List<ConsumerRecord<byte[], byte[]>> stats =
          TestStreams.readCommitted(
              kafka.bootstrapServers(), n.stats(), 1, TIMEOUT, Duration.ofMillis(500));
      assertThat(stats).isNotEmpty();
      long counted = 0;
      for (ConsumerRecord<byte[], byte[]> r : stats) {
        JsonNode w = JSON.readTree(r.value());
        counted += w.get("count").asLong();
        long start = w.get("window_start").asLong();
        long end = w.get("window_end").asLong();
        assertThat(end - start).isEqualTo(1000);
        // Each closed window counts exactly the scores stamped in it: the partial statistics
        // travel in the scores' own transactions.
        long scoredInWindow =
            scores.stream().filter(s -> s.scoredAt() >= start && s.scoredAt() < end).count();
        assertThat(w.get("count").asLong()).as("window %d", start).isEqualTo(scoredInWindow);
      }
      assertThat(counted).isPositive().isLessThanOrEqualTo(total);
      await(() -> scorer.statsMetrics().latest() != null, "stats gauges");
      assertThat(get(scorer, "/metrics", 200))
          .contains("vae_scorer_stats_images")
          .contains("kafka_stream_");
    }
  }

  @Test
  void rejectsBadCheckpointsAndKeepsTheModelInUse(LocalKafka kafka) throws Exception {
    Names n = Names.unique(kafka, 1);
    Checkpoint first = TestCheckpoints.first();
    Checkpoint newer =
        TestCheckpoints.with(TestCheckpoints.second(), 500, TestCheckpoints.second().calibration());
    CheckpointCodec signer = CheckpointCodec.withKey(KEY);
    try (ScorerService scorer =
            start(kafka, n, "--no-stats", "--checkpoint-hmac-key", KEY, "--threshold", "0.02");
        Producer<byte[], byte[]> images = TestStreams.producer(kafka.bootstrapServers());
        Producer<byte[], byte[]> checkpoints = TestCheckpoints.producer(kafka.bootstrapServers())) {
      // Never score with an untrained model, even while waiting for any model at all.
      Checkpoint untrained = TestCheckpoints.with(first, 0, Calibration.none());
      TestCheckpoints.publish(checkpoints, n.checkpoints(), 0, untrained, signer.encode(untrained));
      await(
          () -> counter(scorer, "vae.scorer.checkpoint.rejections", "reason", "untrained") == 1,
          "untrained rejected");
      assertThat(scorer.model()).isNull();

      TestCheckpoints.publish(checkpoints, n.checkpoints(), 1, first, signer.encode(first));
      await(() -> scorer.health().ready(), "first model");

      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 2, newer, TestCheckpoints.corrupt(newer, KEY));
      TestCheckpoints.publish(
          checkpoints,
          n.checkpoints(),
          3,
          newer,
          CheckpointCodec.withKey("other key").encode(newer));
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 4, newer, CheckpointCodec.unsigned().encode(newer));
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 5, newer, TestCheckpoints.wrongArchitecture(newer, KEY));
      for (String reason :
          List.of("bad_checksum", "bad_signature", "unsigned", "wrong_architecture")) {
        await(
            () -> counter(scorer, "vae.scorer.checkpoint.rejections", "reason", reason) == 1,
            "rejection " + reason);
      }
      // An older checkpoint is ignored, not rejected.
      Checkpoint older = TestCheckpoints.with(first, 10, first.calibration());
      TestCheckpoints.publish(checkpoints, n.checkpoints(), 6, older, signer.encode(older));

      TestStreams.produce(images, n.input(), 0, 50);
      List<ScoreRecord> scores = readScores(kafka, n.scores(), 50);
      assertExactlyOnce(scores, 0, 50);
      assertThat(scores)
          .allSatisfy(
              s -> {
                assertThat(s.modelStep()).isEqualTo(TestCheckpoints.STEPS_A);
                assertThat(s.threshold()).as("--threshold").isEqualTo(0.02);
                assertThat(s.anomaly()).isEqualTo(s.score() > 0.02);
              });
      assertThat(scorer.model().step()).isEqualTo(TestCheckpoints.STEPS_A);
      assertThat(counter(scorer, "vae.scorer.checkpoint.swaps", null, null)).isEqualTo(1);
      assertThat(scorer.health().health().details().get("last_checkpoint_rejection").toString())
          .contains("wrong_architecture");
    }
  }

  @Test
  void deadLettersInvalidRecordsAndKeepsScoring(LocalKafka kafka) throws Exception {
    Names n = Names.unique(kafka, 1);
    Checkpoint first = TestCheckpoints.first();
    try (ScorerService scorer = start(kafka, n, "--no-stats", "--threshold-quantile", "0.9");
        Producer<byte[], byte[]> images = TestStreams.producer(kafka.bootstrapServers());
        Producer<byte[], byte[]> checkpoints = TestCheckpoints.producer(kafka.bootstrapServers())) {
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 0, first, CheckpointCodec.unsigned().encode(first));
      TestStreams.produce(images, n.input(), 0, 20);
      ProducerRecord<byte[], byte[]> good =
          ImageRecordCodec.toProducerRecord(n.input(), TestStreams.image(99));
      RecordHeaders noProducedAt = new RecordHeaders();
      good.headers()
          .forEach(
              h -> {
                if (!h.key().equals(ImageRecordCodec.H_PRODUCED_AT)) {
                  noProducedAt.add(h);
                }
              });
      RecordHeaders badLabel = new RecordHeaders();
      good.headers()
          .forEach(
              h ->
                  badLabel.add(
                      h.key().equals("label")
                          ? new org.apache.kafka.common.header.internals.RecordHeader(
                              "label", "12".getBytes())
                          : h));
      byte[] badVersion = good.value().clone();
      badVersion[0] = 9;
      List<ProducerRecord<byte[], byte[]>> bad =
          List.of(
              new ProducerRecord<>(n.input(), null, (byte[]) null, good.value(), good.headers()),
              new ProducerRecord<>(
                  n.input(), null, "short".getBytes(), new byte[] {1, 2, 3}, good.headers()),
              new ProducerRecord<>(n.input(), null, "nohdr".getBytes(), good.value(), noProducedAt),
              new ProducerRecord<>(n.input(), null, "ver".getBytes(), badVersion, good.headers()),
              new ProducerRecord<>(n.input(), null, "label".getBytes(), good.value(), badLabel));
      for (ProducerRecord<byte[], byte[]> r : bad) {
        images.send(r);
      }
      TestStreams.produce(images, n.input(), 20, 40);

      List<ScoreRecord> scores = readScores(kafka, n.scores(), 40);
      assertExactlyOnce(scores, 0, 40);
      double p90 = first.calibration().quantile(0.9).getAsDouble();
      assertThat(scores)
          .allSatisfy(s -> assertThat(s.threshold()).as("--threshold-quantile 0.9").isEqualTo(p90));

      List<ConsumerRecord<byte[], byte[]>> dead =
          TestStreams.readCommitted(
              kafka.bootstrapServers(), n.dlq(), 5, TIMEOUT, Duration.ofMillis(300));
      assertThat(dead).hasSize(5);
      List<String> reasons = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> d : dead) {
        reasons.add(header(d, DeadLetters.H_REASON));
        assertThat(header(d, DeadLetters.H_SERVICE)).isEqualTo("scorer");
        assertThat(header(d, DeadLetters.H_TOPIC)).isEqualTo(n.input());
        assertThat(header(d, DeadLetters.H_DETAIL)).isNotBlank();
      }
      assertThat(reasons)
          .containsExactly("null_key", "bad_size", "missing_header", "bad_version", "bad_header");
      assertThat(dead.get(1).value()).containsExactly(1, 2, 3);
      await(() -> counter(scorer, "vae.scorer.dlq", "reason", "bad_header") == 1, "dlq counted");
      assertThat(counter(scorer, "vae.scorer.dlq", "reason", "null_key")).isEqualTo(1);
      assertThat(counter(scorer, "vae.scorer.images", null, null)).isEqualTo(40);
    }
  }

  @Test
  void instancesShareThePartitionsAndHandOverWithoutGapsOrDuplicates(LocalKafka kafka)
      throws Exception {
    Names n = Names.unique(kafka, 4);
    Checkpoint first = TestCheckpoints.first();
    AtomicBoolean feeding = new AtomicBoolean(true);
    AtomicInteger produced = new AtomicInteger();
    try (Producer<byte[], byte[]> checkpoints =
        TestCheckpoints.producer(kafka.bootstrapServers())) {
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 0, first, CheckpointCodec.unsigned().encode(first));
    }
    // About 1,000 images/s until the hand-overs are done, so every phase sees input.
    Thread feeder =
        new Thread(
            () -> {
              try (Producer<byte[], byte[]> images =
                  TestStreams.producer(kafka.bootstrapServers())) {
                while (feeding.get()) {
                  int from = produced.get();
                  TestStreams.produce(images, n.input(), from, from + 100);
                  produced.set(from + 100);
                  Thread.sleep(100);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "feeder");
    ScorerService a = start(kafka, n, "--no-stats", "--instance-id", "a");
    // b runs its forward passes inline: both ways hand over without gaps or duplicates.
    ScorerService b = start(kafka, n, "--no-stats", "--no-pipeline", "--instance-id", "b");
    ScorerService a2 = null;
    try {
      feeder.start();
      await(
          () ->
              counter(a, "vae.scorer.images", null, null) > 0
                  && counter(b, "vae.scorer.images", null, null) > 0,
          "both instances scoring");
      // a leaves: b takes every partition. Then a comes back: b gives partitions up, committing
      // its open transaction on revocation.
      a.close();
      double byB = counter(b, "vae.scorer.images", null, null);
      await(() -> counter(b, "vae.scorer.images", null, null) > byB + 500, "b scores alone");
      a2 = start(kafka, n, "--no-stats", "--instance-id", "a");
      ScorerService back = a2;
      await(() -> counter(back, "vae.scorer.images", null, null) > 0, "a scores again");
      feeding.set(false);
      feeder.join();
      List<ScoreRecord> scores = readScores(kafka, n.scores(), produced.get());
      assertExactlyOnce(scores, 0, produced.get());
    } finally {
      feeding.set(false);
      a.close();
      b.close();
      if (a2 != null) {
        a2.close();
      }
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String get(ScorerService s, String path, int status) throws Exception {
    return new String(getBytes(s, path, status), StandardCharsets.UTF_8);
  }

  private static byte[] getBytes(ScorerService s, String path, int status) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("%s", path).isEqualTo(status);
    return r.body();
  }

  /** The log end offsets of every partition of {@code topic}, summed. */
  private static long endOffset(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .mapToLong(r -> r.offset())
        .sum();
  }
}
