package dev.vaestream.bench;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.InputOffset;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.scorer.LoadedModel;
import dev.vaestream.scorer.ScorerService;
import dev.vaestream.trainer.TrainerClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * {@code checkpoint}: a checkpoint shaped like the trainer's (parameters, Adam state, a full 10,000
 * score guard window, a half-filled batch, three input offsets, calibration, metadata): its size;
 * the publish time as the trainer pays it (encode, then begin, send and commit a Kafka transaction
 * with the trainer's producer settings); the load time (decode plus {@link Checkpoint#toModel()});
 * and the scorer's own swap: from the commit of a newer checkpoint until a running {@link
 * ScorerService} has it in use (fetch, decode, verify, build, warm-up, swap).
 */
final class CheckpointBenchmark {
  private static final int WARMUP = 5;
  private static final int GUARD_WINDOW = 10_000;
  private static final int PENDING_IMAGES = 16;

  private CheckpointBenchmark() {}

  static void run(BenchContext ctx) throws Exception {
    int repeats = ctx.settings.checkpointRepeats();
    VaeModel model = ctx.checkpoint().toModel();
    Checkpoint base = trainerShaped(ctx, model);
    CheckpointCodec codec = CheckpointCodec.unsigned();
    String bootstrap = ctx.kafka().bootstrapServers();
    ScoreBenchmarks.Names n = ScoreBenchmarks.Names.create(ctx, "checkpoint", 1);

    // Publish: encode + one transaction, as TrainerService.checkpoint() does.
    double[] encodeMs = new double[repeats];
    double[] commitMs = new double[repeats];
    double[] publishMs = new double[repeats];
    int size = 0;
    long sequence = 0;
    try (Producer<byte[], byte[]> producer =
        transactional(bootstrap, ctx.unique("checkpoint-tx"))) {
      for (int i = -WARMUP; i < repeats; i++) {
        long t0 = System.nanoTime();
        Checkpoint c =
            Checkpoint.of(model, base.offsets(), base.calibration(), meta(sequence), base.arrays());
        byte[] bytes = codec.encode(c);
        long t1 = System.nanoTime();
        publish(producer, n.checkpoints(), sequence++, c, bytes);
        long t2 = System.nanoTime();
        size = bytes.length;
        if (i >= 0) {
          encodeMs[i] = Figures.millis(t1 - t0);
          commitMs[i] = Figures.millis(t2 - t1);
          publishMs[i] = Figures.millis(t2 - t0);
        }
      }
    }
    double[] publishSorted = Figures.sorted(publishMs);
    System.err.printf(
        Locale.ROOT,
        "bench: checkpoint: %d bytes, publish p50 %.1f ms%n",
        size,
        Figures.percentileOfSorted(publishSorted, 0.5));

    // Load: decode + toModel (the trainer's restore), and the scorer's path without Adam state.
    byte[] encoded = codec.encode(base);
    double[] decodeMs = new double[repeats];
    double[] toModelMs = new double[repeats];
    double[] loadMs = new double[repeats];
    for (int i = -WARMUP; i < repeats; i++) {
      long t0 = System.nanoTime();
      Checkpoint c = codec.decode(encoded, "bench");
      long t1 = System.nanoTime();
      VaeModel restored = c.toModel();
      long t2 = System.nanoTime();
      if (restored.step() != base.step()) {
        throw new IllegalStateException("restored the wrong step");
      }
      if (i >= 0) {
        decodeMs[i] = Figures.millis(t1 - t0);
        toModelMs[i] = Figures.millis(t2 - t1);
        loadMs[i] = Figures.millis(t2 - t0);
      }
    }

    // The scorer's swap, end to end.
    double[] swapSorted = Figures.sorted(scorerSwaps(ctx, n, base, repeats));
    double[] loadSorted = Figures.sorted(loadMs);

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "checkpoint");
    line.put("size_bytes", size);
    line.put("parameters", base.parameters().length);
    line.put("publish_ms_p50", Figures.round(Figures.percentileOfSorted(publishSorted, 0.5), 2));
    line.put("publish_ms_max", Figures.round(Figures.percentileOfSorted(publishSorted, 1), 2));
    line.put("encode_ms_p50", Figures.round(Figures.percentile(encodeMs, 0.5), 2));
    line.put("send_commit_ms_p50", Figures.round(Figures.percentile(commitMs, 0.5), 2));
    line.put("load_ms_p50", Figures.round(Figures.percentileOfSorted(loadSorted, 0.5), 2));
    line.put("load_ms_max", Figures.round(Figures.percentileOfSorted(loadSorted, 1), 2));
    line.put("decode_ms_p50", Figures.round(Figures.percentile(decodeMs, 0.5), 2));
    line.put("to_model_ms_p50", Figures.round(Figures.percentile(toModelMs, 0.5), 2));
    line.put("scorer_swap_ms_p50", Figures.round(Figures.percentileOfSorted(swapSorted, 0.5), 2));
    line.put("scorer_swap_ms_max", Figures.round(Figures.percentileOfSorted(swapSorted, 1), 2));
    line.put("repeats", repeats);
    ctx.emit(line);
  }

  /**
   * Commits checkpoints of rising steps while a scorer runs; for each, the time from the commit
   * returning until the scorer's model in use has that step.
   */
  private static double[] scorerSwaps(
      BenchContext ctx, ScoreBenchmarks.Names n, Checkpoint base, int repeats) throws Exception {
    String bootstrap = ctx.kafka().bootstrapServers();
    List<Double> swaps = new ArrayList<>();
    try (ScorerService scorer = ScorerService.start(ScoreBenchmarks.scorerSettings(ctx, n, false));
        Producer<byte[], byte[]> producer =
            transactional(bootstrap, ctx.unique("checkpoint-swap-tx"))) {
      CheckpointCodec codec = CheckpointCodec.unsigned();
      long step = 1_000_000;
      long sequence = 1_000;
      for (int i = -WARMUP; i < repeats; i++) {
        step += 100;
        Checkpoint c = base.withStep(step);
        publish(producer, n.checkpoints(), sequence++, c, codec.encode(c));
        long t0 = System.nanoTime();
        long deadline = t0 + 60_000_000_000L;
        while (true) {
          LoadedModel m = scorer.model();
          if (m != null && m.step() == step) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the scorer did not swap in step " + step);
          }
          Thread.sleep(0, 200_000);
        }
        if (i >= 0) {
          swaps.add(Figures.millis(System.nanoTime() - t0));
        }
      }
    }
    return swaps.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The trainer's state around {@code model}: what its checkpoints carry besides the model. */
  private static Checkpoint trainerShaped(BenchContext ctx, VaeModel model) {
    float[] window = new float[GUARD_WINDOW];
    for (int i = 0; i < window.length; i++) {
      window[i] = 0.02f + (i % 100) * 1e-4f;
    }
    float[] pending = new float[PENDING_IMAGES * MnistDataset.PIXELS];
    for (int i = 0; i < PENDING_IMAGES; i++) {
      ctx.train().copyScaled(i, pending, i * MnistDataset.PIXELS);
    }
    List<InputOffset> offsets =
        List.of(
            new InputOffset("mnist.images", 0, 123_456),
            new InputOffset("mnist.images", 1, 123_457),
            new InputOffset("mnist.images", 2, 123_455));
    return Checkpoint.of(
        model,
        offsets,
        ctx.checkpoint().calibration(),
        meta(0),
        Map.of("guard.window", window, "pending.pixels", pending));
  }

  private static Map<String, String> meta(long sequence) {
    Map<String, String> m = new HashMap<>();
    m.put("checkpoint.sequence", Long.toString(sequence));
    m.put("guard.window.size", Integer.toString(GUARD_WINDOW));
    m.put("guard.skipped", "123");
    m.put("batch", Integer.toString(VaeArchitecture.BATCH));
    return m;
  }

  /**
   * A producer configured as the trainer's checkpoint producer ({@link
   * TrainerClients#producerProperties}, Kafka's own client id), its transactions initialised.
   */
  private static Producer<byte[], byte[]> transactional(String bootstrap, String id) {
    Map<String, Object> p = new HashMap<>(TrainerClients.producerProperties(id));
    p.remove(ProducerConfig.CLIENT_ID_CONFIG);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close();
      throw e;
    }
    return producer;
  }

  /** Publishes checkpoint {@code c} as the trainer does: in a transaction of its own. */
  private static void publish(
      Producer<byte[], byte[]> producer, String topic, long sequence, Checkpoint c, byte[] bytes) {
    producer.beginTransaction();
    producer.send(CheckpointTopic.record(topic, sequence, c, bytes));
    producer.commitTransaction();
  }
}
