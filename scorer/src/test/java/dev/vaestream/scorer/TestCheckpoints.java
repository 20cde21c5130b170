package dev.vaestream.scorer;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Checkpoints for tests: two briefly trained models (cached per JVM), calibrated on MNIST test
 * images like the trainer does, and the means to publish them, signed or tampered with.
 */
final class TestCheckpoints {
  static final long SEED = 7;
  static final int STEPS_A = 60;
  static final int STEPS_B = 120;

  private static Checkpoint first;
  private static Checkpoint second;

  private TestCheckpoints() {}

  /** A model trained {@link #STEPS_A} steps, calibrated. */
  static synchronized Checkpoint first() {
    if (first == null) {
      train();
    }
    return first;
  }

  /** The same model trained on to {@link #STEPS_B} steps, calibrated. */
  static synchronized Checkpoint second() {
    if (second == null) {
      train();
    }
    return second;
  }

  private static void train() {
    MnistDataset data = MnistDataset.bundled(MnistSplit.TRAIN);
    VaeModel model = VaeModel.create(SEED);
    float[] batch = new float[VaeArchitecture.BATCH * MnistDataset.PIXELS];
    int next = 0;
    while (model.step() < STEPS_B) {
      for (int i = 0; i < VaeArchitecture.BATCH; i++) {
        data.copyScaled(next++ % data.size(), batch, i * MnistDataset.PIXELS);
      }
      model.trainStep(VaeModel.batch(batch, VaeArchitecture.BATCH));
      if (model.step() == STEPS_A) {
        first = Checkpoint.of(model, List.of(), calibrate(model), Map.of(), Map.of());
      }
    }
    second = Checkpoint.of(model, List.of(), calibrate(model), Map.of(), Map.of());
  }

  /** Calibration from 500 test digits, as the trainer's recent-error window would give. */
  static Calibration calibrate(VaeModel model) {
    MnistDataset test = MnistDataset.bundled(MnistSplit.TEST);
    int n = 500;
    float[] pixels = new float[n * MnistDataset.PIXELS];
    for (int i = 0; i < n; i++) {
      test.copyScaled(i, pixels, i * MnistDataset.PIXELS);
    }
    BatchScores s = model.score(pixels, n);
    float[] mse = new float[n];
    for (int i = 0; i < n; i++) {
      mse[i] = (float) s.mse(i);
    }
    return Calibration.of(mse, n);
  }

  /** A copy of {@code c} with another step, calibration or creation time. */
  static Checkpoint with(Checkpoint c, long step, Calibration calibration) {
    return new Checkpoint(
        step,
        c.imagesSeen(),
        c.createdAtMs(),
        c.seed(),
        c.offsets(),
        calibration,
        c.metadata(),
        c.parameters(),
        c.adamState(),
        c.arrays());
  }

  static Producer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /** Publishes {@code encoded} as checkpoint number {@code sequence}; waits for the ack. */
  static void publish(
      Producer<byte[], byte[]> producer,
      String topic,
      long sequence,
      Checkpoint checkpoint,
      byte[] encoded)
      throws Exception {
    ProducerRecord<byte[], byte[]> r = CheckpointTopic.record(sequence, checkpoint, encoded);
    producer
        .send(new ProducerRecord<>(topic, 0, r.key(), r.value(), r.headers()))
        .get(30, TimeUnit.SECONDS);
  }

  /** Encodes signed with {@code key}, then replaces the fingerprint and signs again. */
  static byte[] wrongArchitecture(Checkpoint c, String key) {
    byte[] bytes = CheckpointCodec.withKey(key).encode(c);
    bytes[8] ^= 0x5A; // first fingerprint byte, right after magic, version and flags
    return CheckpointCodec.withKey(key).reseal(bytes);
  }

  /**
   * Encodes signed with {@code key}, flips a parameter byte and signs again: a record corrupted
   * before it was signed, which only the CRC catches.
   */
  static byte[] corrupt(Checkpoint c, String key) {
    byte[] bytes = CheckpointCodec.withKey(key).encode(c);
    bytes[bytes.length / 2] ^= 0x01;
    return resign(bytes, key);
  }

  private static byte[] resign(byte[] bytes, String key) {
    int macAt = bytes.length - 32;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(bytes, 0, macAt);
      System.arraycopy(mac.doFinal(), 0, bytes, macAt, 32);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return bytes;
  }
}
