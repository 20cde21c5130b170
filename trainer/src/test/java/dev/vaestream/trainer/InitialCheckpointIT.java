package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --initial-checkpoint}: a lost checkpoint topic is seeded from a {@code --checkpoint-dir}
 * file and the trainer resumes from it; a topic that has checkpoints is left alone; a bad or
 * foreign file is refused with exit code 2, naming it. On the real broker.
 */
@ExtendWith(KafkaBrokerExtension.class)
class InitialCheckpointIT {
  private static final String KEY = "initial-checkpoint-it-key";

  @TempDir Path dir;

  @Test
  void seedsALostTopicFromAFileAndTheTrainerResumesFromIt(LocalKafka kafka) throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "seed");
    f.produceImages(0, 32 * 12, Set.of());
    Path files = dir.resolve("checkpoints");
    assertThat(
            TrainerFixture.runService(signed(f, f.checkpoints, files, 10), new AtomicBoolean(true)))
        .isZero();
    Path latest = files.resolve("latest");
    assertThat(latest).isRegularFile();

    // The topic is lost: a new, empty one takes its place.
    String lost = f.name + ".checkpoints-recreated";
    kafka.createTopic(lost, 1, CheckpointTopic.topicConfigs());
    TrainerSettings recreated = signed(f, lost, null, 10);

    assertThat(InitialCheckpoint.seedIfEmpty(recreated, latest))
        .isEqualTo(InitialCheckpoint.Outcome.SEEDED);
    List<ConsumerRecord<byte[], byte[]>> seeded = f.readAll(lost);
    assertThat(seeded).hasSize(1);
    Checkpoint c = CheckpointCodec.withKey(KEY).decode(seeded.get(0).value(), "seeded");
    assertThat(c.step()).isEqualTo(10);
    assertThat(seeded.get(0).value()).isEqualTo(Files.readAllBytes(latest));

    // Not a second time: the topic has a checkpoint now.
    assertThat(InitialCheckpoint.seedIfEmpty(recreated, latest))
        .isEqualTo(InitialCheckpoint.Outcome.TOPIC_NOT_EMPTY);
    assertThat(f.readAll(lost)).hasSize(1);

    // The trainer restores the seeded model: already at --max-steps 10, it has nothing to do.
    assertThat(TrainerFixture.runService(recreated, new AtomicBoolean(true))).isZero();
    assertThat(f.readAll(lost)).hasSize(1);
  }

  @Test
  void refusesAFileThatIsNotAValidCheckpointForThisKey(LocalKafka kafka) throws Exception {
    TrainerFixture f = new TrainerFixture(kafka, "seed-bad");
    Path garbage = Files.write(dir.resolve("garbage.bin"), "not a checkpoint".getBytes());
    assertThatThrownBy(
            () -> InitialCheckpoint.seedIfEmpty(signed(f, f.checkpoints, null, 1), garbage))
        .isInstanceOfSatisfying(
            UserException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining(garbage.toString());

    // Unsigned (or signed with another key): refused for a trainer with a key.
    f.produceImages(0, 32 * 2, Set.of());
    Path files = dir.resolve("unsigned");
    TrainerSettings unsigned = f.settings("", 1, 1, 1e-3);
    assertThat(
            TrainerFixture.runService(
                copy(unsigned, unsigned.checkpointTopic(), files, null), new AtomicBoolean(true)))
        .isZero();
    assertThatThrownBy(
            () ->
                InitialCheckpoint.seedIfEmpty(
                    signed(f, f.name + ".other", null, 1), files.resolve("latest")))
        .isInstanceOfSatisfying(
            UserException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("unsigned");
    Path missing = dir.resolve("missing.bin");
    assertThatThrownBy(
            () -> InitialCheckpoint.seedIfEmpty(signed(f, f.checkpoints, null, 1), missing))
        .isInstanceOfSatisfying(
            UserException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining(missing.toString());
  }

  private static TrainerSettings signed(
      TrainerFixture f, String checkpointTopic, Path checkpointDir, long maxSteps) {
    return copy(f.settings("", maxSteps, 5, 1e-3), checkpointTopic, checkpointDir, KEY);
  }

  private static TrainerSettings copy(
      TrainerSettings s, String checkpointTopic, Path checkpointDir, String key) {
    return new TrainerSettings(
        s.kafka(),
        s.connectTimeout(),
        new TrainerSettings.TopicNames(
            s.inputTopic(), checkpointTopic, s.dlqTopic(), s.replicationFactor()),
        s.groupId(),
        s.transactionalId(),
        new TrainerSettings.Checkpointing(
            checkpointDir, s.checkpointEvery(), s.checkpointInterval(), key),
        s.learning(),
        s.http());
  }
}
