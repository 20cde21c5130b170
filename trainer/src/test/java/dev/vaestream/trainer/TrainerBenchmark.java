package dev.vaestream.trainer;

import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.offline.OfflineTraining;
import dev.vaestream.testsupport.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmark, not a test: trainer images/s consuming a preloaded topic on an in-JVM broker, against
 * offline training of the same number of steps in the same JVM. Prints one JSON line.
 *
 * <p>Run: {@code ./mvnw -q -pl trainer -am test-compile exec:java ...} or from an IDE; see README.
 */
public final class TrainerBenchmark {
  private TrainerBenchmark() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int images = steps * 32;
    double offline;
    {
      VaeModel model = VaeModel.create(42);
      OfflineTraining t = new OfflineTraining(MnistDataset.bundled(MnistSplit.TRAIN), 42);
      t.trainUntilStep(model, 100, null); // warm-up
      OfflineTraining.Result r = t.trainUntilStep(model, 100 + steps, null);
      offline = r.imagesPerSec();
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      TrainerFixture f = new TrainerFixture(kafka, "bench");
      f.produceImages(0, 60_000, Set.of());
      TrainerSettings s = f.settings("", steps, steps, 1e-3);
      // Time the learning itself, from the first step to the last, not client start-up.
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      long[] firstStep = {0};
      Thread watch =
          new Thread(
              () -> {
                while (firstStep[0] == 0) {
                  var c = registry.find("vae.trainer.steps").counter();
                  if (c != null && c.count() > 0) {
                    firstStep[0] = System.nanoTime();
                  }
                  Thread.onSpinWait();
                }
              });
      watch.setDaemon(true);
      watch.start();
      TrainerFixture.runService(s, new AtomicBoolean(true), registry);
      double seconds = (System.nanoTime() - firstStep[0]) / 1e9;
      images = (steps - 1) * 32;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", "train_stream");
      out.put("steps", steps);
      out.put("images", images);
      out.put("seconds", Math.round(seconds * 1000) / 1000.0);
      out.put("images_per_sec", Math.round(images / seconds));
      out.put("offline_images_per_sec", Math.round(offline));
      out.put("ratio", Math.round(images / seconds / offline * 1000) / 1000.0);
      out.putAll(Nd4jRuntime.facts());
      System.out.println(JsonLine.of(out));
    }
  }
}
