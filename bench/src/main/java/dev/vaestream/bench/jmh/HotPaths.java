package dev.vaestream.bench.jmh;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.StepResult;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the per-record and per-batch hot paths, average time per operation:
 *
 * <ul>
 *   <li>{@code decode}: {@link ImageRecordCodec#decode} of one wire record (key, 785-byte value,
 *       four headers), what the trainer's poller and the scorer do per record;
 *   <li>{@code batchAssembly}: 32 decoded images' bytes to floats in [0, 1] (the scaling the scorer
 *       does per batch before {@link VaeModel#score(float[], int)}), then to a 32x784 {@code
 *       INDArray} through {@link VaeModel#batch};
 *   <li>{@code vaeModelBatch}: {@link VaeModel#batch} alone on already scaled floats (one bulk copy
 *       into native memory), the path the trainer and offline training take: {@code batchAssembly}
 *       minus the scaling;
 *   <li>{@code forward}: {@link VaeModel#score} of 32 images;
 *   <li>{@code trainStep}: {@link VaeModel#trainStep} on 32 images;
 *   <li>{@code scoreJson}: {@link ScoreRecordCodec#encode}, the scorer's output value.
 * </ul>
 *
 * Run with {@code vae-stream bench --jmh [REGEX]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPaths {
  private static final int BATCH = VaeArchitecture.BATCH;
  private static final int PIXELS = MnistDataset.PIXELS;

  private byte[] key;
  private byte[] value;
  private Headers headers;
  private byte[][] pixels;
  private float[] scaled;
  private INDArray batch;
  private VaeModel scoringModel;
  private VaeModel trainingModel;
  private ScoreRecord score;

  @Setup
  public void setUp() {
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    ImageRecord image =
        new ImageRecord(
            ImageRecord.id(MnistSplit.TRAIN, 12_345, 0),
            train.image(12_345),
            train.label(12_345),
            MnistSplit.TRAIN,
            12_345,
            null,
            System.currentTimeMillis());
    ProducerRecord<byte[], byte[]> wire = ImageRecordCodec.toProducerRecord("mnist.images", image);
    key = wire.key();
    value = wire.value();
    headers = wire.headers();

    pixels = new byte[BATCH][];
    scaled = new float[BATCH * PIXELS];
    for (int i = 0; i < BATCH; i++) {
      pixels[i] = train.image(i);
      train.copyScaled(i, scaled, i * PIXELS);
    }
    batch = VaeModel.batch(scaled, BATCH);
    scoringModel = VaeModel.create(42);
    trainingModel = VaeModel.create(42);
    score =
        new ScoreRecord(
            new ScoreRecord.Source("train:12345:0", 1, 1_234_567),
            new ScoreRecord.Verdict(0.0213456789, 0.0456789012, false),
            new ScoreRecord.Model(12_000, 4_321),
            new ScoreRecord.Truth(7, null),
            ScoreRecord.Timing.of(1_700_000_000_000L, 1_700_000_000_012L));
  }

  @Benchmark
  public ImageRecord decode() throws InvalidRecordException {
    return ImageRecordCodec.decode(key, value, headers);
  }

  @Benchmark
  public INDArray batchAssembly() {
    float[] floats = new float[BATCH * PIXELS];
    for (int i = 0; i < BATCH; i++) {
      byte[] px = pixels[i];
      int base = i * PIXELS;
      for (int p = 0; p < PIXELS; p++) {
        floats[base + p] = (px[p] & 0xff) / 255f;
      }
    }
    return VaeModel.batch(floats, BATCH);
  }

  @Benchmark
  public INDArray vaeModelBatch() {
    return VaeModel.batch(scaled, BATCH);
  }

  @Benchmark
  public BatchScores forward() {
    return scoringModel.score(batch);
  }

  @Benchmark
  public StepResult trainStep() {
    return trainingModel.trainStep(batch);
  }

  @Benchmark
  public byte[] scoreJson() {
    return ScoreRecordCodec.encode(score);
  }
}
