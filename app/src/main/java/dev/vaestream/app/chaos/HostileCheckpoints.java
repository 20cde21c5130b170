package dev.vaestream.app.chaos;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.kafka.CheckpointTopic;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Forged and broken records for the checkpoint topic, made from a genuine signed checkpoint of the
 * running trainer. Each claims a step far beyond the trainer's ({@link #MARKER_STEP} and up) in its
 * header, so readers that pick the highest step try it first; the well-formed forgeries carry that
 * step inside too, so a score made with one of them would give itself away by its {@code
 * model_step}.
 */
final class HostileCheckpoints {
  /** Steps at and above this are forgeries; the trainer never gets there in a campaign. */
  static final long MARKER_STEP = 1_000_000_000L;

  /** The ways a checkpoint record is hostile. */
  enum Kind {
    GARBAGE,
    TRUNCATED,
    CORRUPTED,
    WRONG_ARCHITECTURE,
    UNSIGNED,
    MIS_SIGNED;

    String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int FINGERPRINT_OFFSET = 8;

  private final String topic;
  private final String hmacKey;
  private final CheckpointCodec signer;
  private final SplittableRandom random;
  private int next;

  HostileCheckpoints(String topic, String hmacKey, long seed) {
    this.topic = topic;
    this.hmacKey = hmacKey;
    this.signer = CheckpointCodec.withKey(hmacKey);
    this.random = new SplittableRandom(seed);
  }

  /** The kind the next record will be. */
  Kind nextKind() {
    return Kind.values()[next % Kind.values().length];
  }

  /**
   * The next hostile record, made from {@code genuine} (the encoded bytes of a real checkpoint).
   */
  ProducerRecord<byte[], byte[]> next(byte[] genuine, Checkpoint decoded) {
    Kind kind = nextKind();
    long marker = MARKER_STEP + next;
    next++;
    byte[] value =
        switch (kind) {
          case GARBAGE -> randomBytes(random.nextInt(16, 65_536));
          case TRUNCATED -> Arrays.copyOf(genuine, random.nextInt(1, genuine.length));
          case CORRUPTED -> {
            byte[] b = genuine.clone();
            b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
            yield b;
          }
          case WRONG_ARCHITECTURE -> {
            // A validly signed checkpoint of another network: only the fingerprint differs.
            byte[] b = genuine.clone();
            b[FINGERPRINT_OFFSET + random.nextInt(32)] ^= 0x5a;
            yield signer.reseal(b);
          }
          case UNSIGNED -> CheckpointCodec.unsigned().encode(decoded.withStep(marker));
          case MIS_SIGNED ->
              CheckpointCodec.withKey("not-the-" + hmacKey).encode(decoded.withStep(marker));
        };
    RecordHeaders headers = new RecordHeaders();
    headers.add(CheckpointTopic.H_STEP, Long.toString(marker).getBytes(StandardCharsets.UTF_8));
    headers.add("chaos.kind", kind.code().getBytes(StandardCharsets.UTF_8));
    byte[] key = ("hostile-" + kind.code()).getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, 0, key, value, headers);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }
}
