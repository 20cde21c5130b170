package dev.vaestream.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.checkpoint.CheckpointFormatException.Reason;
import dev.vaestream.core.model.VaeArchitecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCodecTest {
  private static final int N = (int) VaeArchitecture.parameterCount();

  static Checkpoint sample() {
    Random r = new Random(1);
    float[] params = new float[N];
    float[] adam = new float[2 * N];
    for (int i = 0; i < N; i++) {
      params[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < 2 * N; i++) {
      adam[i] = r.nextFloat();
    }
    return new Checkpoint(
        1500,
        48_000,
        1_700_000_000_000L,
        42,
        List.of(new InputOffset("mnist.images", 0, 100), new InputOffset("mnist.images", 1, 7)),
        new Calibration(4096, Map.of(0.95, 0.03, 0.99, 0.05, 0.999, 0.08)),
        Map.of("guard.threshold", "0.05"),
        params,
        adam,
        Map.of("window", new float[] {1f, 2f, 3f}));
  }

  @Test
  void roundTripsEveryField() {
    Checkpoint c = sample();
    Checkpoint back = CheckpointCodec.unsigned().decode(CheckpointCodec.unsigned().encode(c), "t");
    assertThat(back.step()).isEqualTo(1500);
    assertThat(back.imagesSeen()).isEqualTo(48_000);
    assertThat(back.createdAtMs()).isEqualTo(1_700_000_000_000L);
    assertThat(back.seed()).isEqualTo(42);
    assertThat(back.offsets()).isEqualTo(c.offsets());
    assertThat(back.calibration()).isEqualTo(c.calibration());
    assertThat(back.calibration().quantile(0.99)).hasValue(0.05);
    assertThat(back.metadata()).isEqualTo(c.metadata());
    assertThat(back.parameters()).isEqualTo(c.parameters());
    assertThat(back.adamState()).isEqualTo(c.adamState());
    assertThat(back.arrays().get("window")).containsExactly(1f, 2f, 3f);
  }

  @Test
  void signedCheckpointsVerifyWithTheKeyAndDecodeWithoutOne() {
    CheckpointCodec signer = CheckpointCodec.withKey("s3cret");
    byte[] bytes = signer.encode(sample());
    assertThat(signer.decode(bytes, "t").step()).isEqualTo(1500);
    assertThat(CheckpointCodec.unsigned().decode(bytes, "t").step()).isEqualTo(1500);
  }

  private static Reason rejection(CheckpointCodec codec, byte[] bytes) {
    try {
      codec.decode(bytes, "test-source");
      throw new AssertionError("expected a rejection");
    } catch (CheckpointFormatException e) {
      assertThat(e.getMessage()).contains("test-source").contains(e.reason().code());
      return e.reason();
    }
  }

  @Test
  void rejectsEachDefect() {
    CheckpointCodec codec = CheckpointCodec.unsigned();
    byte[] good = codec.encode(sample());

    assertThat(rejection(codec, new byte[5])).isEqualTo(Reason.TRUNCATED);
    assertThat(rejection(codec, "garbage garbage garbage".getBytes())).isEqualTo(Reason.BAD_MAGIC);

    byte[] version = good.clone();
    version[4] = 9;
    assertThat(rejection(codec, version)).isEqualTo(Reason.BAD_VERSION);

    // Version 1 (before drift handling) is still read: same layout, no detector state.
    byte[] v1 = good.clone();
    v1[4] = 1;
    assertThat(codec.decode(codec.reseal(v1), "v1").step())
        .isEqualTo(codec.decode(good, "v2").step());

    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    assertThat(rejection(codec, flipped)).isEqualTo(Reason.BAD_CHECKSUM);

    byte[] truncated = Arrays.copyOf(good, good.length - 1000);
    assertThat(rejection(codec, truncated)).isEqualTo(Reason.BAD_CHECKSUM);

    byte[] arch = good.clone();
    arch[8] ^= 0x55; // first fingerprint byte
    assertThat(rejection(codec, codec.reseal(arch))).isEqualTo(Reason.WRONG_ARCHITECTURE);

    byte[] shortened = codec.reseal(Arrays.copyOf(good, good.length - 40));
    assertThat(rejection(codec, shortened)).isEqualTo(Reason.BAD_LENGTH);
  }

  @Test
  void rejectsUnsignedAndMisSignedWhenAKeyIsRequired() {
    CheckpointCodec required = CheckpointCodec.withKey("right");
    assertThat(rejection(required, CheckpointCodec.unsigned().encode(sample())))
        .isEqualTo(Reason.UNSIGNED);
    assertThat(rejection(required, CheckpointCodec.withKey("wrong").encode(sample())))
        .isEqualTo(Reason.BAD_SIGNATURE);
    byte[] tampered = required.encode(sample());
    tampered[100] ^= 1;
    assertThat(rejection(required, tampered)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void resealingWithTheKeyGetsAnEditPastTheSignatureButNotWithoutIt() {
    CheckpointCodec keyed = CheckpointCodec.withKey("right");
    byte[] edited = keyed.encode(sample());
    edited[8] ^= 0x55; // first fingerprint byte
    assertThat(rejection(keyed, CheckpointCodec.unsigned().reseal(edited.clone())))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(keyed, keyed.reseal(edited))).isEqualTo(Reason.WRONG_ARCHITECTURE);
  }

  @Test
  void rejectsAnotherParameterCount() {
    Checkpoint c = sample();
    Checkpoint small =
        new Checkpoint(
            c.step(),
            c.imagesSeen(),
            c.createdAtMs(),
            c.seed(),
            c.offsets(),
            c.calibration(),
            c.metadata(),
            new float[10],
            new float[0],
            c.arrays());
    byte[] bytes = CheckpointCodec.unsigned().encode(small);
    assertThat(rejection(CheckpointCodec.unsigned(), bytes)).isEqualTo(Reason.WRONG_ARCHITECTURE);
  }

  @Test
  void filesAreWrittenAtomicallyAndMissingFilesNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sub/ckpt.bin");
    CheckpointFiles.write(f, sample(), CheckpointCodec.unsigned());
    assertThat(CheckpointFiles.read(f, CheckpointCodec.unsigned()).step()).isEqualTo(1500);
    try (var files = Files.list(f.getParent())) {
      assertThat(files).hasSize(1);
    }
    assertThatThrownBy(() -> CheckpointFiles.read(dir.resolve("none"), CheckpointCodec.unsigned()))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("no such file");
  }
}
