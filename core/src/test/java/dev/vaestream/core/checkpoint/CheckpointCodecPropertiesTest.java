package dev.vaestream.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vaestream.core.checkpoint.CheckpointFormatException.Reason;
import dev.vaestream.core.model.VaeArchitecture;
import dev.vaestream.core.model.VaeModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile checkpoints, generated against one real encoded checkpoint of a real {@link VaeModel}
 * (built once: a checkpoint is 5.3 MB, so tries are counted). Garbage, truncations, extensions and
 * single-byte corruptions are always rejected with a {@link CheckpointFormatException} whose reason
 * says which check caught them, never another exception and never a silently accepted corrupt
 * checkpoint; with a key, unsigned, mis-signed and re-checksummed (forged) records are rejected.
 */
class CheckpointCodecPropertiesTest {
  private static final String KEY = "property-test-key";
  private static final String SOURCE = "vae.checkpoints-0@7";
  private static final int N = (int) VaeArchitecture.parameterCount();
  private static final int CRC = 4;
  private static final int HMAC = 32;
  private static final float[] WINDOW = {0.5f, 1.5f, 2.5f};

  private static Checkpoint original;
  private static byte[] unsignedBytes;
  private static byte[] signedBytes;

  /** Where the header ends: the parameter count (an i32) starts here in both encodings. */
  private static int paramsCountAt;

  /** Where every count and string length of the layout starts (the fields a parser trusts). */
  private static List<Integer> lengthFieldsAt;

  /**
   * Which codec reads which encoding. A keyless reader ignores signatures by design, so the
   * signature trailer is the one place where it may accept a changed record.
   */
  enum Reading {
    UNSIGNED_READS_UNSIGNED(false, false),
    KEYED_READS_SIGNED(true, true),
    UNSIGNED_READS_SIGNED(false, true),
    KEYED_READS_UNSIGNED(true, false);

    final boolean keyed;
    final boolean signed;

    Reading(boolean keyed, boolean signed) {
      this.keyed = keyed;
      this.signed = signed;
    }

    CheckpointCodec codec() {
      return keyed ? CheckpointCodec.withKey(KEY) : CheckpointCodec.unsigned();
    }

    byte[] bytes() {
      return (signed ? signedBytes : unsignedBytes).clone();
    }

    int length() {
      return (signed ? signedBytes : unsignedBytes).length;
    }
  }

  @BeforeContainer
  static void encodeARealCheckpoint() {
    VaeModel model = VaeModel.create(11);
    original =
        Checkpoint.of(
            model,
            List.of(
                new InputOffset("mnist.images", 0, 1234), new InputOffset("mnist.images", 2, 9)),
            new Calibration(4096, Map.of(0.5, 0.01, 0.99, 0.05)),
            Map.of("trainer.sequence", "3", "guard.threshold", "0.05"),
            Map.of("window", WINDOW));
    unsignedBytes = CheckpointCodec.unsigned().encode(original);
    signedBytes = CheckpointCodec.withKey(KEY).encode(original);
    // parameters, Adam state (2N), arrays {"window": 3 floats}, CRC: counted back from the end.
    int arrays = 4 + (2 + "window".length()) + 4 + 4 * WINDOW.length;
    paramsCountAt = unsignedBytes.length - CRC - arrays - (4 + 4 * 2 * N) - (4 + 4 * N);
    assertThat(intAt(unsignedBytes, paramsCountAt)).isEqualTo(N);
    assertThat(intAt(unsignedBytes, paramsCountAt + 4 + 4 * N)).isEqualTo(2 * N);
    assertThat(signedBytes.length).isEqualTo(unsignedBytes.length + HMAC);
    lengthFieldsAt = lengthFields(unsignedBytes);
  }

  /** Walks the documented layout, noting the position of each count and string length. */
  private static List<Integer> lengthFields(byte[] bytes) {
    ByteBuffer r = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> at = new ArrayList<>();
    r.position(8 + 32 + 4 * 8); // preamble, fingerprint, step, images seen, created at, seed
    at.add(r.position());
    int offsets = r.getInt();
    for (int i = 0; i < offsets; i++) {
      skipString(r, at);
      r.position(r.position() + 4 + 8);
    }
    r.position(r.position() + 8); // calibration count
    at.add(r.position());
    r.position(r.position() + 4 + 16 * r.getInt(r.position()));
    at.add(r.position());
    int metadata = r.getInt();
    for (int i = 0; i < 2 * metadata; i++) {
      skipString(r, at);
    }
    assertThat(r.position()).isEqualTo(paramsCountAt);
    at.add(paramsCountAt);
    at.add(paramsCountAt + 4 + 4 * N); // Adam state
    r.position(paramsCountAt + 4 + 4 * N + 4 + 4 * 2 * N);
    at.add(r.position());
    int arrays = r.getInt();
    for (int i = 0; i < arrays; i++) {
      skipString(r, at);
      at.add(r.position());
      r.position(r.position() + 4 + 4 * r.getInt());
    }
    assertThat(r.position()).isEqualTo(bytes.length - CRC);
    return List.copyOf(at);
  }

  private static void skipString(ByteBuffer r, List<Integer> at) {
    at.add(r.position());
    r.position(r.position() + 2 + (r.getShort(r.position()) & 0xffff));
  }

  // ---- garbage ----

  @Property(tries = 1000)
  void garbageIsRejected(@ForAll("garbage") byte[] bytes, @ForAll boolean keyed) {
    CheckpointCodec codec = keyed ? CheckpointCodec.withKey(KEY) : CheckpointCodec.unsigned();
    assertThat(rejection(codec, bytes))
        .isIn(
            Reason.TRUNCATED,
            Reason.BAD_MAGIC,
            Reason.BAD_VERSION,
            Reason.BAD_CHECKSUM,
            Reason.UNSIGNED,
            Reason.BAD_SIGNATURE);
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
    // Past the magic and version checks: the rest must still be caught.
    Arbitrary<byte[]> framed =
        Combinators.combine(Arbitraries.shorts(), random)
            .as(
                (flags, rest) -> {
                  ByteBuffer b =
                      ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
                  b.put("VAEC".getBytes(StandardCharsets.US_ASCII));
                  b.putShort((short) CheckpointCodec.VERSION).putShort(flags).put(rest);
                  return b.array();
                });
    return Arbitraries.oneOf(random, framed).injectNull(0.02);
  }

  // ---- truncated and extended ----

  @Property(tries = 200)
  void truncationsAreRejected(@ForAll("truncations") Tuple.Tuple2<Reading, Integer> cut) {
    Reading reading = cut.get1();
    byte[] bytes = Arrays.copyOf(reading.bytes(), cut.get2());
    Reason reason = rejection(reading.codec(), bytes);
    if (reading == Reading.KEYED_READS_UNSIGNED) {
      assertThat(reason).isIn(Reason.TRUNCATED, Reason.UNSIGNED);
    } else {
      assertThat(reason)
          .isIn(Reason.TRUNCATED, reading.keyed ? Reason.BAD_SIGNATURE : Reason.BAD_CHECKSUM);
    }
  }

  @Provide
  Arbitrary<Tuple.Tuple2<Reading, Integer>> truncations() {
    return Arbitraries.of(Reading.class)
        .flatMap(r -> positions(r.length()).map(length -> Tuple.of(r, length)));
  }

  @Property(tries = 60)
  void extensionsAreRejected(@ForAll Reading reading, @ForAll("extraBytes") byte[] extra) {
    byte[] good = reading.bytes();
    byte[] bytes = Arrays.copyOf(good, good.length + extra.length);
    System.arraycopy(extra, 0, bytes, good.length, extra.length);
    Reason reason = rejection(reading.codec(), bytes);
    if (reading == Reading.KEYED_READS_UNSIGNED) {
      assertThat(reason).isEqualTo(Reason.UNSIGNED);
    } else {
      assertThat(reason).isEqualTo(reading.keyed ? Reason.BAD_SIGNATURE : Reason.BAD_CHECKSUM);
    }
  }

  @Provide
  Arbitrary<byte[]> extraBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
  }

  private static boolean readableVersion(byte[] bytes) {
    int version = (bytes[4] & 0xff) | (bytes[5] & 0xff) << 8;
    return version >= CheckpointCodec.OLDEST_READABLE && version <= CheckpointCodec.VERSION;
  }

  // ---- single-byte corruption ----

  @Property(tries = 300)
  void singleByteCorruptionsAreRejectedByTheRightCheck(
      @ForAll("corruptions") Tuple.Tuple3<Reading, Integer, Byte> corruption) {
    Reading reading = corruption.get1();
    int at = corruption.get2();
    byte mask = corruption.get3();
    byte[] bytes = reading.bytes();
    bytes[at] ^= mask;
    int flagsBit0Now = at == 6 ? (bytes[6] & 1) : (reading.signed ? 1 : 0);

    if (reading == Reading.UNSIGNED_READS_SIGNED && at >= bytes.length - HMAC) {
      // Only the signature changed, and a keyless reader does not check signatures: the payload
      // must be the original, byte for byte.
      Checkpoint decoded = reading.codec().decode(bytes, SOURCE);
      assertSameAsOriginal(decoded);
      return;
    }
    Reason expected;
    if (at < 4) {
      expected = Reason.BAD_MAGIC;
    } else if (at < 6 && !readableVersion(bytes)) {
      // A flip that lands on another readable version (2 -> 1) is caught by the checksum.
      expected = Reason.BAD_VERSION;
    } else if (reading.keyed) {
      expected = flagsBit0Now == 1 ? Reason.BAD_SIGNATURE : Reason.UNSIGNED;
    } else {
      expected = Reason.BAD_CHECKSUM;
    }
    assertThat(rejection(reading.codec(), bytes)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Tuple.Tuple3<Reading, Integer, Byte>> corruptions() {
    Arbitrary<Byte> mask = Arbitraries.bytes().filter(b -> b != 0);
    return Arbitraries.of(Reading.class)
        .flatMap(
            r ->
                Combinators.combine(positions(r.length()), mask).as((at, m) -> Tuple.of(r, at, m)));
  }

  // ---- forged: corrupted, then the CRC recomputed (anyone can; only the HMAC needs the key) ----

  @Property(tries = 200)
  void forgedRecordsNeverCrashTheDecoderAndNeverPassTheSignature(
      @ForAll("forgeries") Forgery forgery) {
    // Forgeries must get past the checksum into the field parser, both to a rejection and to a
    // load, or this property would test nothing but the CRC.
    Statistics.coverage(
        coverage -> {
          coverage.check("loaded").count(n -> n > 0);
          coverage.check(Reason.BAD_LENGTH.code()).count(n -> n > 0);
        });
    byte[] unsigned = forgery.applyTo(unsignedBytes.clone());
    fixCrc(unsigned, false);
    try {
      Checkpoint c = CheckpointCodec.unsigned().decode(unsigned, SOURCE);
      Statistics.collect("loaded");
      // Without a key a consistent-looking record may load, but never in the wrong shape.
      assertThat(c.parameters()).hasSize(N);
      assertThat(c.adamState().length).isIn(0, 2 * N);
    } catch (CheckpointFormatException e) {
      Statistics.collect(e.reason().code());
      assertThat(e.getMessage()).contains(SOURCE).contains(e.reason().code());
    }

    byte[] signed = forgery.applyTo(signedBytes.clone());
    fixCrc(signed, true);
    if (Arrays.equals(signed, signedBytes)) {
      return; // the "forgery" changed nothing (e.g. it wrote the value already there)
    }
    assertThat(rejection(CheckpointCodec.withKey(KEY), signed))
        .isIn(Reason.BAD_MAGIC, Reason.BAD_VERSION, Reason.UNSIGNED, Reason.BAD_SIGNATURE);
  }

  /** Overwrites one byte (xor) or one little-endian i32, at a position in the parsed fields. */
  record Forgery(int at, boolean wholeInt, int value) {
    byte[] applyTo(byte[] bytes) {
      if (wholeInt) {
        ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
      } else {
        bytes[at] ^= (byte) value;
      }
      return bytes;
    }
  }

  @Provide
  Arbitrary<Forgery> forgeries() {
    // Counts and lengths live in the header, at the two array counts and in the extra arrays at
    // the end: that is where a parser can be led astray.
    int adamCountAt = paramsCountAt + 4 + 4 * N;
    int arraysAt = adamCountAt + 4 + 4 * 2 * N;
    int end = unsignedBytes.length - CRC - 4;
    Arbitrary<Integer> at =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(lengthFieldsAt)),
            Tuple.of(4, Arbitraries.integers().between(6, paramsCountAt)),
            Tuple.of(1, Arbitraries.integers().between(adamCountAt - 2, adamCountAt + 2)),
            Tuple.of(2, Arbitraries.integers().between(arraysAt - 2, end)),
            Tuple.of(1, Arbitraries.integers().between(6, end)));
    Arbitrary<Integer> value =
        Arbitraries.oneOf(
            Arbitraries.integers(),
            Arbitraries.of(0, 1, -1, N, 2 * N, N + 1, Integer.MAX_VALUE, Integer.MIN_VALUE),
            Arbitraries.integers().between(1, 255));
    return Combinators.combine(at, Arbitraries.of(true, false), value).as(Forgery::new);
  }

  // ---- keys ----

  @Property(tries = 25)
  void aWrongKeyRejectsEverySignedCheckpoint(@ForAll("otherKeys") String otherKey) {
    assertThat(rejection(CheckpointCodec.withKey(otherKey), signedBytes.clone()))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(CheckpointCodec.withKey(otherKey), unsignedBytes.clone()))
        .isEqualTo(Reason.UNSIGNED);
  }

  @Provide
  Arbitrary<String> otherKeys() {
    return Arbitraries.oneOf(
            Arbitraries.strings().ofMinLength(1).ofMaxLength(64),
            // Near misses: one character off, a prefix, an extension.
            Arbitraries.integers()
                .between(0, KEY.length() - 1)
                .map(i -> KEY.substring(0, i) + (char) (KEY.charAt(i) + 1) + KEY.substring(i + 1)),
            Arbitraries.integers().between(1, KEY.length() - 1).map(i -> KEY.substring(0, i)),
            Arbitraries.strings().ofMinLength(1).ofMaxLength(4).map(s -> KEY + s))
        .filter(k -> !hmacEquivalentToKey(k));
  }

  /**
   * HMAC zero-pads keys shorter than its 64-byte block, so {@code KEY + "\0"} is the same key as
   * {@code KEY} (jqwik found this): not another key, so not a wrong one.
   */
  private static boolean hmacEquivalentToKey(String candidate) {
    String k = candidate;
    while (k.endsWith("\0")) {
      k = k.substring(0, k.length() - 1);
    }
    return k.equals(KEY);
  }

  @Property(tries = 20)
  void aProperlySignedCheckpointOfAnotherArchitectureIsRejected(
      @ForAll("fingerprintBytes") int at, @ForAll("nonZero") byte mask) {
    byte[] unsigned = unsignedBytes.clone();
    unsigned[at] ^= mask;
    fixCrc(unsigned, false);
    assertThat(rejection(CheckpointCodec.unsigned(), unsigned))
        .isEqualTo(Reason.WRONG_ARCHITECTURE);

    byte[] signed = signedBytes.clone();
    signed[at] ^= mask;
    fixCrc(signed, true);
    resign(signed);
    assertThat(rejection(CheckpointCodec.withKey(KEY), signed))
        .isEqualTo(Reason.WRONG_ARCHITECTURE);
  }

  @Provide
  Arbitrary<Integer> fingerprintBytes() {
    return Arbitraries.integers().between(8, 8 + 31);
  }

  @Provide
  Arbitrary<Byte> nonZero() {
    return Arbitraries.bytes().filter(b -> b != 0);
  }

  // ---- valid records round-trip ----

  @Property(tries = 15)
  void validCheckpointsRoundTripSignedAndUnsigned(
      @ForAll("offsets") List<InputOffset> offsets,
      @ForAll("metadata") Map<String, String> metadata,
      @ForAll long step,
      @ForAll boolean keyed) {
    Checkpoint c =
        new Checkpoint(
            step,
            original.imagesSeen(),
            original.createdAtMs(),
            original.seed(),
            offsets,
            original.calibration(),
            metadata,
            original.parameters(),
            original.adamState(),
            original.arrays());
    CheckpointCodec codec = keyed ? CheckpointCodec.withKey(KEY) : CheckpointCodec.unsigned();
    Checkpoint back = codec.decode(codec.encode(c), SOURCE);
    assertThat(back.step()).isEqualTo(step);
    assertThat(back.offsets()).isEqualTo(offsets);
    assertThat(back.metadata()).isEqualTo(metadata);
    assertThat(back.parameters()).isEqualTo(original.parameters());
    assertThat(back.adamState()).isEqualTo(original.adamState());
  }

  /** Text without lone surrogates (which no UTF-8 encoding keeps), including multi-byte chars. */
  private static Arbitrary<String> text(int minLength, int maxLength) {
    return Arbitraries.strings()
        .withCharRange(' ', '\uD7FF')
        .ofMinLength(minLength)
        .ofMaxLength(maxLength);
  }

  @Provide
  Arbitrary<List<InputOffset>> offsets() {
    return Combinators.combine(
            text(1, 40),
            Arbitraries.integers().greaterOrEqual(0),
            Arbitraries.longs().greaterOrEqual(0))
        .as(InputOffset::new)
        .list()
        .ofMaxSize(8);
  }

  @Provide
  Arbitrary<Map<String, String>> metadata() {
    return Arbitraries.maps(text(0, 30), text(0, 60)).ofMaxSize(6).map(HashMap::new);
  }

  // ---- helpers ----

  /** Positions in a record of {@code length} bytes, weighted to its start and its end. */
  private static Arbitrary<Integer> positions(int length) {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.integers().between(0, length - 1)),
        Tuple.of(2, Arbitraries.integers().between(0, Math.min(length - 1, 600))),
        Tuple.of(1, Arbitraries.integers().between(length - 80, length - 1)));
  }

  /** The rejection reason; fails the property if the record was accepted. */
  private static Reason rejection(CheckpointCodec codec, byte[] bytes) {
    try {
      codec.decode(bytes, SOURCE);
    } catch (CheckpointFormatException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).contains(SOURCE).contains(e.reason().code());
      return e.reason();
    }
    return fail("accepted a corrupt checkpoint of %d bytes", bytes == null ? 0 : bytes.length);
  }

  private static void assertSameAsOriginal(Checkpoint c) {
    assertThat(c.step()).isEqualTo(original.step());
    assertThat(c.offsets()).isEqualTo(original.offsets());
    assertThat(c.calibration()).isEqualTo(original.calibration());
    assertThat(c.metadata()).isEqualTo(original.metadata());
    assertThat(c.parameters()).isEqualTo(original.parameters());
    assertThat(c.adamState()).isEqualTo(original.adamState());
    assertThat(c.arrays().get("window")).isEqualTo(WINDOW);
  }

  private static int intAt(byte[] bytes, int at) {
    return ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** Recomputes the CRC32C in place, as a forger without the key can. */
  private static void fixCrc(byte[] bytes, boolean signed) {
    int crcAt = bytes.length - CRC - (signed ? HMAC : 0);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, crcAt);
    ByteBuffer.wrap(bytes, crcAt, CRC).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
  }

  /** Recomputes the HMAC in place, as only a holder of the key can. */
  private static void resign(byte[] bytes) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(bytes, 0, bytes.length - HMAC);
      System.arraycopy(mac.doFinal(), 0, bytes, bytes.length - HMAC, HMAC);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
