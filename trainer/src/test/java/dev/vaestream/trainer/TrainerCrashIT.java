package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.process.ChildJvm;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL a trainer running in its own JVM at random moments during training, restart it each time,
 * and compare its final model with an uninterrupted run on the same input: bit for bit.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TrainerCrashIT {
  private static final int STEPS = 300;
  private static final int KILLS = 3;

  @Test
  void killedAndRestartedTrainerEndsBitIdenticalToAnUninterruptedRun(
      LocalKafka kafka, @TempDir Path tmp) throws Exception {
    // Child logs stay in target/ for post-mortems.
    Path dir = Path.of("target", "crash-logs", Long.toString(System.currentTimeMillis()));
    Files.createDirectories(dir);
    TrainerFixture f = new TrainerFixture(kafka, "crash");
    // Twice the images the steps need: the soft guard learns about 65% of a stationary stream.
    f.produceImages(0, 32 * (2 * STEPS + 40), Set.of(10, 2_000, 5_000));

    String referenceTopic = f.name + ".reference-checkpoints";
    kafka.createTopic(referenceTopic, 1, CheckpointTopic.topicConfigs());
    assertThat(
            TrainerFixture.runService(
                f.settings("-ref", STEPS, 25, 1e-3, referenceTopic), new AtomicBoolean(true)))
        .isZero();
    Checkpoint reference = last(f, referenceTopic);

    Random random = new Random(7);
    int seen = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process p = start(f, dir.resolve("run-" + kill + ".log"));
      // Kill during training: after a new checkpoint appears, at a random moment.
      int before = seen;
      await("a new checkpoint")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> f.readAll(f.checkpoints).size() > before);
      Thread.sleep(random.nextInt(400));
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      seen = f.readAll(f.checkpoints).size();
    }
    Process finish = start(f, dir.resolve("final.log"));
    assertThat(finish.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(finish.exitValue()).as(() -> read(dir.resolve("final.log"))).isZero();

    Checkpoint result = last(f, f.checkpoints);
    assertThat(seen).as("kills happened after checkpoints").isGreaterThanOrEqualTo(KILLS);
    assertThat(result.step()).isEqualTo(STEPS);
    assertThat(result.imagesSeen()).isEqualTo(reference.imagesSeen());
    assertThat(result.offsets()).isEqualTo(reference.offsets());
    assertThat(result.parameters()).isEqualTo(reference.parameters());
    assertThat(result.adamState()).isEqualTo(reference.adamState());
    assertThat(result.calibration()).isEqualTo(reference.calibration());
  }

  private static Checkpoint last(TrainerFixture f, String topic) {
    List<Checkpoint> all = new ArrayList<>();
    for (var r : f.readAll(topic)) {
      all.add(dev.vaestream.core.checkpoint.CheckpointCodec.unsigned().decode(r.value(), "t"));
    }
    return all.get(all.size() - 1);
  }

  private static Process start(TrainerFixture f, Path log) throws IOException {
    return ChildJvm.of(TrainerMain.class.getName())
        .heap("512m")
        .args(f.flags("", STEPS, 25))
        .logTo(log)
        .start();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
