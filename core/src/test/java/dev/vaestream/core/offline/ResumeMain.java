package dev.vaestream.core.offline;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFiles;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.VaeModel;
import java.nio.file.Path;

/** Run in a fresh JVM by {@link ExactResumeTest}: resume a checkpoint and train to a step. */
public final class ResumeMain {
  private ResumeMain() {}

  public static void main(String[] args) {
    Path in = Path.of(args[0]);
    long target = Long.parseLong(args[1]);
    Path out = Path.of(args[2]);
    VaeModel model = CheckpointFiles.read(in, CheckpointCodec.unsigned()).toModel();
    new OfflineTraining(MnistDataset.bundled(MnistSplit.TRAIN), model.seed())
        .trainUntilStep(model, target, null);
    CheckpointFiles.write(
        out,
        Checkpoint.offline(model, dev.vaestream.core.checkpoint.Calibration.none()),
        CheckpointCodec.unsigned());
  }
}
