package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.InputOffset;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.record.DeadLetters;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class TrainerIT {

  @Test
  void learnsInExactBatchesAndCommitsCheckpointsWithOffsetsAndDeadLetters(LocalKafka kafka)
      throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "atomic");
    f.produceImages(0, 32 * 60, Set.of(3, 100, 700));
    TrainerSettings s = f.settings("", 50, 20, 1e-3);
    assertThat(TrainerFixture.runService(s, new AtomicBoolean(true))).isZero();

    List<Checkpoint> checkpoints = f.checkpoints();
    assertThat(checkpoints).extracting(Checkpoint::step).containsExactly(20L, 40L, 50L);
    Checkpoint last = checkpoints.get(checkpoints.size() - 1);
    assertThat(last.imagesSeen()).isEqualTo(50 * 32);
    assertThat(last.calibration().isCalibrated()).isTrue();
    assertThat(last.calibration().quantile(0.99)).isPresent();
    assertThat(last.calibration().quantile(0.999)).isPresent();

    // Offsets in the checkpoint are exactly the group's committed offsets: one transaction.
    InputOffset offset = last.offsets().get(0);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(s.groupId()).partitionsToOffsetAndMetadata().get();
      assertThat(committed.get(new TopicPartition(f.input, 0)).offset()).isEqualTo(offset.offset());
    }
    // 50 steps of 32 images cover 1,600 images plus the 3 invalid records among them.
    assertThat(offset.offset()).isEqualTo(50 * 32 + 3);

    List<ConsumerRecord<byte[], byte[]>> dead = f.readAll(f.dlq);
    assertThat(dead).hasSize(3);
    for (ConsumerRecord<byte[], byte[]> r : dead) {
      assertThat(
              new String(
                  r.headers().lastHeader(DeadLetters.H_REASON).value(), StandardCharsets.UTF_8))
          .isEqualTo("bad_version");
    }
  }

  @Test
  void rollsBackNonFiniteStepsAndNeverPublishesANonFiniteModel(LocalKafka kafka) throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "nan");
    f.produceImages(0, 32 * 10, Set.of());
    TrainerSettings s = f.settings("", 0, 5, 1e38);
    AtomicBoolean running = new AtomicBoolean(true);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(() -> TrainerFixture.runService(s, running, registry));
    // Ten groups of 32 (all inside the guard's warm-up, so all learned from): stop only once the
    // learner has tried, and rolled back, the step of every one of them.
    await("all 10 steps of the 320 images rolled back")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> run.isDone() || rollbacks(registry) >= 10);
    running.set(false);
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
    Checkpoint last = f.checkpoints().get(f.checkpoints().size() - 1);
    // The final checkpoint covers all 320 images, and not one step of them was applied.
    assertThat(last.offsets().get(0).offset()).isEqualTo(320);
    assertThat(last.step()).isZero();
    for (float p : last.parameters()) {
      assertThat(Float.isFinite(p)).isTrue();
    }
  }

  /** The trainer's {@code vae.trainer.rollbacks} count so far; 0 before it is registered. */
  private static double rollbacks(SimpleMeterRegistry registry) {
    Counter c = registry.find("vae.trainer.rollbacks").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aSecondInstanceFencesTheFirst(LocalKafka kafka) throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "fence");
    f.produceImages(0, 32 * 400, Set.of());
    AtomicBoolean firstRunning = new AtomicBoolean(true);
    CompletableFuture<Integer> first =
        CompletableFuture.supplyAsync(
            () -> TrainerFixture.runService(f.settings("", 0, 5, 1e-3), firstRunning));
    await("the first instance's first checkpoint")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> !f.checkpoints().isEmpty());
    AtomicBoolean secondRunning = new AtomicBoolean(true);
    CompletableFuture<Integer> second =
        CompletableFuture.supplyAsync(
            () -> TrainerFixture.runService(f.settings("", 0, 5, 1e-3), secondRunning));
    assertThatThrownBy(() -> first.get(90, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(UserException.class)
        .hasMessageContaining("fenced")
        .matches(e -> ((UserException) e).exitCode() == ExitCodes.FENCED);
    secondRunning.set(false);
    assertThat(second.get(60, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void fallsBackToTheNewestValidCheckpointWhenNewerRecordsAreCorruptOrUnrestorable(
      LocalKafka kafka) {
    TrainerFixture f = new TrainerFixture(kafka, "corrupt");
    f.produceImages(0, 32 * 50, Set.of());
    assertThat(TrainerFixture.runService(f.settings("", 30, 10, 1e-3), new AtomicBoolean(true)))
        .isZero();
    // Well-formed records that claim later steps but cannot be restored (their metadata is not
    // the trainer's), then plain garbage as the newest record.
    Checkpoint valid = f.checkpoints().get(f.checkpoints().size() - 1);
    f.produceRaw(
        f.checkpoints,
        "ckpt-1".getBytes(),
        CheckpointCodec.unsigned()
            .encode(withMetadata(valid, 1_000, OnlineLearner.META_PENDING, "-7")));
    f.produceRaw(
        f.checkpoints,
        "ckpt-2".getBytes(),
        CheckpointCodec.unsigned()
            .encode(withMetadata(valid, 999, TrainingLoop.META_SEQUENCE, "not a number")));
    f.produceRaw(f.checkpoints, "ckpt-0".getBytes(), "garbage from elsewhere".getBytes());
    int before = f.readAll(f.checkpoints).size();

    assertThat(TrainerFixture.runService(f.settings("", 40, 10, 1e-3), new AtomicBoolean(true)))
        .isZero();
    List<ConsumerRecord<byte[], byte[]>> after = f.readAll(f.checkpoints);
    List<Checkpoint> all = f.checkpoints();
    Checkpoint last = all.get(all.size() - 1);
    // Resumed at step 30 (not from scratch, not from garbage): one new checkpoint at step 40.
    assertThat(after.size() - before).isEqualTo(1);
    assertThat(last.step()).isEqualTo(40);
    assertThat(last.imagesSeen()).isEqualTo(40 * 32);
    assertThat(last.offsets().get(0).offset()).isEqualTo(40 * 32);
  }

  private static Checkpoint withMetadata(Checkpoint c, long step, String key, String value) {
    Map<String, String> metadata = new HashMap<>(c.metadata());
    metadata.put(key, value);
    return new Checkpoint(
        step,
        c.imagesSeen(),
        c.createdAtMs(),
        c.seed(),
        c.offsets(),
        c.calibration(),
        metadata,
        c.parameters(),
        c.adamState(),
        c.arrays());
  }

  @Test
  void aStoppedAndRestartedTrainerMatchesAnUninterruptedOne(LocalKafka kafka) {
    TrainerFixture f = new TrainerFixture(kafka, "restart");
    f.produceImages(0, 32 * 140, Set.of(5));
    String reference = f.name + ".reference";
    kafka.createTopic(reference, 1, dev.vaestream.core.kafka.CheckpointTopic.topicConfigs());
    assertThat(
            TrainerFixture.runService(
                f.settings("-ref", 120, 25, 1e-3, reference), new AtomicBoolean(true)))
        .isZero();
    for (long stop : new long[] {26, 55, 120}) {
      assertThat(TrainerFixture.runService(f.settings("", stop, 25, 1e-3), new AtomicBoolean(true)))
          .isZero();
    }
    List<Checkpoint> restarted = f.checkpoints();
    Checkpoint a = restarted.get(restarted.size() - 1);
    List<Checkpoint> refs = new java.util.ArrayList<>();
    for (var r : f.readAll(reference)) {
      refs.add(dev.vaestream.core.checkpoint.CheckpointCodec.unsigned().decode(r.value(), "t"));
    }
    Checkpoint b = refs.get(refs.size() - 1);
    assertThat(a.step()).isEqualTo(b.step());
    assertThat(a.metadata().get("guard.threshold")).isEqualTo(b.metadata().get("guard.threshold"));
    assertThat(a.offsets()).isEqualTo(b.offsets());
    assertThat(a.parameters()).isEqualTo(b.parameters());
  }

  /**
   * A broker fault can move the group coordinator or outlive the session, and the trainer's static
   * member then rejoins: the same partition comes back without its position. The trainer must go on
   * from what it has queued (not stop, and not learn the committed offsets' images again), and
   * commit its next checkpoint under the new generation.
   */
  @Test
  void aRejoinOfTheSameMemberCostsNoRestartAndRelearnsNothing(LocalKafka kafka) throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "rejoin");
    f.produceImages(0, 32 * 40, Set.of());
    String reference = f.name + ".reference";
    kafka.createTopic(reference, 1, dev.vaestream.core.kafka.CheckpointTopic.topicConfigs());
    TrainerSettings s = f.settings("", 120, 25, 1e-3);
    AtomicBoolean running = new AtomicBoolean(true);
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(() -> TrainerFixture.runService(s, running));
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      await("the first checkpoint, then the trainer waiting for input")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> !f.checkpoints().isEmpty() && memberId(admin, s.groupId()) != null);
      String before = memberId(admin, s.groupId());
      admin
          .removeMembersFromConsumerGroup(
              s.groupId(),
              new RemoveMembersFromConsumerGroupOptions(
                  List.of(new MemberToRemove(s.transactionalId()))))
          .all()
          .get(30, TimeUnit.SECONDS);
      await("the trainer's member back in the group under a new member id")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                String now = memberId(admin, s.groupId());
                return now != null && !now.equals(before);
              });
    }
    assertThat(run).isNotDone();
    f.produceImages(32 * 40, 32 * 100, Set.of());
    assertThat(run.get(120, TimeUnit.SECONDS)).isZero();

    assertThat(
            TrainerFixture.runService(
                f.settings("-ref", 120, 25, 1e-3, reference), new AtomicBoolean(true)))
        .isZero();
    Checkpoint a = f.checkpoints().get(f.checkpoints().size() - 1);
    Checkpoint b =
        CheckpointCodec.unsigned()
            .decode(f.readAll(reference).get(f.readAll(reference).size() - 1).value(), "t");
    assertThat(a.step()).isEqualTo(120);
    assertThat(a.offsets()).isEqualTo(b.offsets());
    assertThat(a.parameters()).isEqualTo(b.parameters());
  }

  /** The member id of the group's only member, or null while it has none. */
  private static String memberId(Admin admin, String group) throws Exception {
    var members =
        admin
            .describeConsumerGroups(List.of(group))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(group)
            .members();
    return members.size() == 1 ? members.iterator().next().consumerId() : null;
  }
}
