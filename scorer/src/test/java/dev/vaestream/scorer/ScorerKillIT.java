package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.process.ChildJvm;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.scorer.stats.WindowStats;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly one score per image although the scorer, a separate JVM, is killed with SIGKILL three
 * times at random moments while images keep arriving, and restarted each time. A final run drains
 * the input and stops on SIGTERM with exit code 0; a read_committed consumer then finds every image
 * id exactly once, and the partial statistics written in the same transactions count each image
 * once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerKillIT {
  private static final Logger log = LoggerFactory.getLogger(ScorerKillIT.class);
  private static final int TOTAL = 30_000;
  private static final int PER_TICK = 150;
  private static final int KILLS = 3;

  @Test
  void everyImageIsScoredExactlyOnceAcrossRepeatedSigkills(LocalKafka kafka, @TempDir Path dir)
      throws Exception {
    ScorerFixture.Names n = ScorerFixture.Names.unique(kafka, 3);
    Checkpoint first = TestCheckpoints.first();
    try (Producer<byte[], byte[]> checkpoints =
        TestCheckpoints.producer(kafka.bootstrapServers())) {
      TestCheckpoints.publish(
          checkpoints, n.checkpoints(), 0, first, CheckpointCodec.unsigned().encode(first));
    }
    // About 1,500 images/s for 20 s: the kills all land while input is still arriving.
    AtomicReference<Throwable> producerError = new AtomicReference<>();
    Thread feeder =
        new Thread(
            () -> {
              try (Producer<byte[], byte[]> images =
                  TestStreams.producer(kafka.bootstrapServers())) {
                for (int i = 0; i < TOTAL; i += PER_TICK) {
                  TestStreams.produce(images, n.input(), i, i + PER_TICK);
                  Thread.sleep(100);
                }
              } catch (Throwable e) {
                producerError.set(e);
              }
            },
            "feeder");
    feeder.start();

    SplittableRandom random = new SplittableRandom();
    try (Admin admin = ScorerFixture.admin(kafka)) {
      for (int k = 1; k <= KILLS; k++) {
        long before = ScorerFixture.committedOffsets(admin, n.group());
        Process p = startScorer(kafka, n, dir.resolve("scorer-" + k + ".log"));
        // Kill once this incarnation has committed something, at a random moment after that.
        awaitProgress(admin, n.group(), before + 1, p, dir.resolve("scorer-" + k + ".log"));
        Thread.sleep(random.nextInt(20, 400));
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        log.info(
            "SIGKILLed scorer run {} with {} offsets committed",
            k,
            ScorerFixture.committedOffsets(admin, n.group()));
      }
      feeder.join();
      assertThat(producerError.get()).isNull();

      Path lastLog = dir.resolve("scorer-final.log");
      Process last = startScorer(kafka, n, lastLog);
      awaitProgress(admin, n.group(), TOTAL, last, lastLog);
      last.destroy(); // SIGTERM: finish the open transaction and exit cleanly
      assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(last.exitValue()).as(() -> read(lastLog)).isEqualTo(ExitCodes.OK);
    }

    List<ScoreRecord> scores = ScorerFixture.readScores(kafka, n.scores(), TOTAL);
    ScorerFixture.assertExactlyOnce(scores, 0, TOTAL);
    assertThat(scores).hasSize(TOTAL);

    // The partial statistics travel in the scores' own transactions (written with --no-stats
    // too): across the kills they count every image exactly once as well.
    long counted = 0;
    for (ConsumerRecord<byte[], byte[]> r :
        TestStreams.readCommitted(
            kafka.bootstrapServers(),
            Topics.statsPartials(n.group() + "-stats"),
            1,
            Duration.ofSeconds(30),
            Duration.ofSeconds(3))) {
      counted += WindowStats.SERDE.deserializer().deserialize(r.topic(), r.value()).count();
    }
    assertThat(counted).as("images counted by the partial statistics").isEqualTo(TOTAL);
  }

  private static Process startScorer(LocalKafka kafka, ScorerFixture.Names n, Path logFile)
      throws IOException {
    List<String> args = n.args("--no-stats");
    // The kill test needs no HTTP endpoint; -1 also avoids port clashes between runs.
    int port = args.indexOf("--http-port");
    args.set(port + 1, "-1");
    return ChildJvm.of(ScorerProcessMain.class.getName())
        .heap("512m")
        .args("--bootstrap-servers", kafka.bootstrapServers())
        .args(args)
        .logTo(logFile)
        .start();
  }

  private static void awaitProgress(
      Admin admin, String group, long target, Process p, Path logFile) {
    await("progress to " + target)
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(20))
        .failFast(
            "the scorer exited",
            () -> {
              if (!p.isAlive()) {
                throw new AssertionError(
                    "scorer exited with " + p.exitValue() + ":\n" + read(logFile));
              }
            })
        .until(() -> ScorerFixture.committedOffsets(admin, group) >= target);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
