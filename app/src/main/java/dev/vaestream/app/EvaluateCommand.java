package dev.vaestream.app;

import dev.vaestream.core.checkpoint.CheckpointFiles;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.data.IdxReader;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.Evaluation;
import dev.vaestream.core.offline.ReconstructionGrid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate}: test-set quality and anomaly AUROC of a checkpoint, as one JSON line. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a checkpoint on the MNIST test set.",
      "Prints one JSON line: test_mse, mean_reconstruction_error, mean_kl, auroc_synthetic,"
          + " auroc_synthetic_by_kind, auroc_ood (with --ood-images), params_sha256."
    })
public final class EvaluateCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);
  private static final int GRID = 8;

  @Option(
      names = "--checkpoint",
      required = true,
      paramLabel = "FILE",
      description = "Checkpoint file (e.g. a trainer's --checkpoint-dir D/latest).")
  Path checkpoint;

  @Option(
      names = "--ood-images",
      paramLabel = "IDX",
      description = "IDX image file (28x28) of out-of-distribution images: adds auroc_ood.")
  Path oodImages;

  @Option(
      names = "--png",
      paramLabel = "FILE",
      description = "Write 8x8 test originals above their reconstructions as a PNG.")
  Path png;

  @Mixin DataOptions data;
  @Mixin CheckpointKeyOption key;

  @Override
  public Integer call() {
    VaeModel model = CheckpointFiles.read(checkpoint, key.codec()).toModel();
    MnistDataset test = data.load(MnistSplit.TEST);
    IdxReader.Images ood = null;
    if (oodImages != null) {
      ood = IdxReader.readImages(oodImages);
      if (ood.rows() != MnistDataset.ROWS || ood.cols() != MnistDataset.COLS) {
        throw new dev.vaestream.core.data.IdxFormatException(
            oodImages.toString(),
            "images are " + ood.rows() + "x" + ood.cols() + ", expected 28x28");
      }
    }
    Evaluation.Result result = Evaluation.evaluate(model, test, ood);
    if (png != null) {
      writePng(model, test);
    }
    JsonLine.print(System.out, result.toJson());
    return 0;
  }

  private void writePng(VaeModel model, MnistDataset test) {
    int n = GRID * GRID;
    float[] originals = new float[n * MnistDataset.PIXELS];
    for (int i = 0; i < n; i++) {
      test.copyScaled(i, originals, i * MnistDataset.PIXELS);
    }
    BatchScores scores = model.score(originals, n);
    byte[] bytes = ReconstructionGrid.png(GRID, GRID, 2, originals, scores.reconstructions());
    try {
      Path parent = png.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.write(png, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
    }
    log.info("Wrote {}", png);
  }
}
