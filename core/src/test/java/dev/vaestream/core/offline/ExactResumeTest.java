package dev.vaestream.core.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFiles;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.process.ChildJvm;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train N steps, checkpoint, resume in a fresh JVM for M more: the parameters and Adam state must
 * equal N+M uninterrupted steps bit for bit. The run crosses an epoch boundary on a small subset so
 * that the reshuffle is covered too.
 */
class ExactResumeTest {
  private static final long SEED = 11;
  private static final int N = 40;
  private static final int M = 45;

  @Test
  void resumingInAFreshJvmIsBitExact(@TempDir Path dir) throws Exception {
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    OfflineTraining training = new OfflineTraining(train, SEED);

    VaeModel interrupted = VaeModel.create(SEED);
    training.trainUntilStep(interrupted, N, null);
    Path first = dir.resolve("first.ckpt");
    CheckpointFiles.write(
        first, Checkpoint.offline(interrupted, Calibration.none()), CheckpointCodec.unsigned());

    Path resumed = dir.resolve("resumed.ckpt");
    Process p =
        ChildJvm.of(ResumeMain.class.getName())
            .args(first.toString(), Integer.toString(N + M), resumed.toString())
            .logTo(dir.resolve("child.log"))
            .start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(() -> readLog(dir.resolve("child.log"))).isZero();

    VaeModel uninterrupted = VaeModel.create(SEED);
    training.trainUntilStep(uninterrupted, N + M, null);

    Checkpoint fromChild = CheckpointFiles.read(resumed, CheckpointCodec.unsigned());
    assertThat(fromChild.step()).isEqualTo(N + M);
    assertThat(fromChild.parameters()).isEqualTo(uninterrupted.parameters());
    assertThat(fromChild.adamState()).isEqualTo(uninterrupted.adamState());
    assertThat(Evaluation.paramsSha256(fromChild.parameters()))
        .isEqualTo(Evaluation.paramsSha256(uninterrupted.parameters()));
  }

  @Test
  void positionFollowsTheStepAcrossEpochs() {
    int[] a = Shuffle.permutation(100, SEED, 0);
    int[] b = Shuffle.permutation(100, SEED, 1);
    assertThat(a).isEqualTo(Shuffle.permutation(100, SEED, 0)).isNotEqualTo(b);
    assertThat(java.util.Arrays.stream(a).sorted().toArray())
        .isEqualTo(java.util.stream.IntStream.range(0, 100).toArray());
  }

  private static String readLog(Path log) {
    try {
      return java.nio.file.Files.readString(log);
    } catch (java.io.IOException e) {
      return "(no log)";
    }
  }
}
