package dev.vaestream.app;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointFiles;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.cli.Progress;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.ImageScorer;
import dev.vaestream.core.offline.OfflineTraining;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train}: the offline reference. Epochs over the training set in seeded shuffled order, one
 * Adam step per batch of 32, then a checkpoint. {@code --resume} continues exactly: training one
 * epoch and resuming to two gives the same parameters as training two.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train the VAE offline on the MNIST training set and write a checkpoint.",
      "Prints one JSON line: {\"images\", \"seconds\", \"images_per_sec\", \"final_loss\","
          + " \"steps\", \"nd4j_backend\", \"device\", \"compute_path\"}."
    })
public final class TrainCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

  /** Training images scored to calibrate the checkpoint's anomaly threshold. */
  private static final int CALIBRATION_IMAGES = 10_000;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description = "Epochs in total (resume counts; default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      description =
          "Stop after N steps in this run, before the epochs are done (e.g. --max-steps 1000 to"
              + " check the speed of a backend); the checkpoint is written as usual.")
  Long maxSteps;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description =
          "Seed for initialisation, shuffling and sampling noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--checkpoint-out",
      paramLabel = "FILE",
      defaultValue = "var/checkpoints/offline.ckpt",
      description = "Where to write the checkpoint (default ${DEFAULT-VALUE}).")
  Path checkpointOut;

  @Option(names = "--resume", paramLabel = "FILE", description = "Continue from this checkpoint.")
  Path resume;

  @Mixin DataOptions data;
  @Mixin CheckpointKeyOption key;

  @Override
  public Integer call() {
    if (epochs < 1) {
      throw new UserException("--epochs must be at least 1, got " + epochs);
    }
    if (maxSteps != null && maxSteps < 1) {
      throw new UserException("--max-steps must be at least 1, got " + maxSteps);
    }
    Map<String, Object> facts = Nd4jRuntime.facts();
    log.info(
        "Training on ND4J {} ({}), compute path {}",
        facts.get("nd4j_backend"),
        facts.get("device"),
        facts.get("compute_path"));
    MnistDataset train = data.load(MnistSplit.TRAIN);
    VaeModel model;
    if (resume != null) {
      Checkpoint from = CheckpointFiles.read(resume, key.codec());
      model = from.toModel();
      if (model.seed() != seed) {
        log.info("Resuming with the checkpoint's seed {} (--seed {} ignored)", model.seed(), seed);
      }
      log.info("Resuming from {} at step {}", resume, model.step());
    } else {
      model = VaeModel.create(seed);
    }
    OfflineTraining training = new OfflineTraining(train, model.seed());
    OfflineTraining.Result result;
    try (Progress progress = Progress.forConsole()) {
      long target = (long) epochs * training.stepsPerEpoch();
      if (maxSteps != null) {
        target = Math.min(target, model.step() + maxSteps);
      }
      result = training.trainUntilStep(model, target, progress);
    }
    Calibration calibration = calibrate(model, train);
    CheckpointFiles.write(checkpointOut, Checkpoint.offline(model, calibration), key.codec());
    log.info("Wrote checkpoint {} (step {})", checkpointOut, model.step());

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("images", result.images());
    json.put("seconds", round(result.seconds(), 3));
    json.put("images_per_sec", round(result.imagesPerSec(), 1));
    json.put("final_loss", round(result.finalLoss(), 4));
    json.put("steps", model.step());
    json.put("nd4j_backend", facts.get("nd4j_backend"));
    json.put("device", facts.get("device"));
    json.put("compute_path", facts.get("compute_path"));
    JsonLine.print(System.out, json);
    return 0;
  }

  private static Calibration calibrate(VaeModel model, MnistDataset train) {
    int n = Math.min(CALIBRATION_IMAGES, train.size());
    double[] mse = ImageScorer.score(model, n, train::image).mse();
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      scores[i] = (float) mse[i];
    }
    return Calibration.of(scores, n);
  }

  static double round(double v, int places) {
    if (!Double.isFinite(v)) {
      return v;
    }
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }
}
