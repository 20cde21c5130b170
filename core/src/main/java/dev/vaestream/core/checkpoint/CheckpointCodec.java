package dev.vaestream.core.checkpoint;

import dev.vaestream.core.checkpoint.CheckpointFormatException.Reason;
import dev.vaestream.core.model.VaeArchitecture;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The checkpoint format, version {@value #VERSION}. All integers and floats little-endian.
 *
 * <pre>
 * magic        4  "VAEC"
 * version      u16
 * flags        u16   bit 0: signed (an HMAC-SHA256 follows the CRC)
 * header
 *   fingerprint  32  SHA-256 of the architecture description
 *   step         i64
 *   imagesSeen   i64
 *   createdAtMs  i64
 *   seed         i64
 *   offsets      i32 n, then n x (str topic, i32 partition, i64 offset)
 *   calibration  i64 count, i32 n, then n x (f64 quantile, f64 value)
 *   metadata     i32 n, then n x (str key, str value)
 * body
 *   parameters   i32 n, then n x f32
 *   adamState    i32 n, then n x f32
 *   arrays       i32 n, then n x (str name, i32 len, len x f32)
 * crc32c       u32   over every byte before it
 * hmac         32    HMAC-SHA256 over every byte before it, when signed
 * </pre>
 *
 * where {@code str} is a u16 length and UTF-8 bytes. A decoder rejects, with a {@link
 * CheckpointFormatException} naming the reason: a short or overlong record, a wrong magic or
 * version, a bad CRC, a missing or wrong signature when a key is required, and a fingerprint or
 * parameter count that does not match this build's architecture.
 *
 * <p>Version history. 2 (drift handling): the layout is unchanged; version-2 trainer checkpoints
 * carry the drift detector's exact state in their metadata ({@code drift.*}, {@code
 * guard.rebaselining}), which a version-1 reader would silently drop, resuming with a different
 * detector: hence the bump. Version 1 checkpoints still load: without detector state, a trainer
 * resuming from one starts a fresh detector (which warms up again).
 */
public final class CheckpointCodec {
  public static final int VERSION = 2;

  /** The oldest version this build reads. */
  public static final int OLDEST_READABLE = 1;

  private static final byte[] MAGIC = {'V', 'A', 'E', 'C'};
  private static final int FLAG_SIGNED = 1;
  private static final int PREAMBLE = 8;
  private static final int CRC_BYTES = 4;
  private static final int HMAC_BYTES = 32;
  private static final String HMAC_ALGORITHM = "HmacSHA256";

  private final byte[] hmacKey;

  /**
   * @param hmacKey shared signing key; when non-null, {@link #encode} signs and {@link #decode}
   *     requires a valid signature. Null: no signing, signatures ignored.
   */
  public CheckpointCodec(byte[] hmacKey) {
    this.hmacKey = hmacKey == null ? null : hmacKey.clone();
  }

  /** A codec without signing. */
  public static CheckpointCodec unsigned() {
    return new CheckpointCodec(null);
  }

  /** A codec signing with the UTF-8 bytes of {@code key}; null or empty means unsigned. */
  public static CheckpointCodec withKey(String key) {
    return key == null || key.isEmpty()
        ? unsigned()
        : new CheckpointCodec(key.getBytes(StandardCharsets.UTF_8));
  }

  public boolean signing() {
    return hmacKey != null;
  }

  /** Encodes {@code checkpoint}, signed when this codec has a key. */
  public byte[] encode(Checkpoint c) {
    int floats =
        c.parameters().length
            + c.adamState().length
            + c.arrays().values().stream().mapToInt(a -> a.length).sum();
    Writer w = new Writer(4096 + 4 * floats);
    w.bytes(MAGIC);
    w.u16(VERSION);
    w.u16(signing() ? FLAG_SIGNED : 0);
    w.bytes(VaeArchitecture.fingerprint());
    w.i64(c.step());
    w.i64(c.imagesSeen());
    w.i64(c.createdAtMs());
    w.i64(c.seed());
    w.i32(c.offsets().size());
    for (InputOffset o : c.offsets()) {
      w.str(o.topic());
      w.i32(o.partition());
      w.i64(o.offset());
    }
    w.i64(c.calibration().count());
    w.i32(c.calibration().quantiles().size());
    for (Map.Entry<Double, Double> q : c.calibration().quantiles().entrySet()) {
      w.f64(q.getKey());
      w.f64(q.getValue());
    }
    Map<String, String> metadata = new TreeMap<>(c.metadata());
    w.i32(metadata.size());
    metadata.forEach(
        (k, v) -> {
          w.str(k);
          w.str(v);
        });
    w.floats(c.parameters());
    w.floats(c.adamState());
    Map<String, float[]> arrays = new TreeMap<>(c.arrays());
    w.i32(arrays.size());
    arrays.forEach(
        (name, values) -> {
          w.str(name);
          w.floats(values);
        });
    CRC32C crc = new CRC32C();
    crc.update(w.buf, 0, w.size);
    w.i32((int) crc.getValue());
    if (signing()) {
      w.bytes(hmac(hmacKey, w.buf, w.size));
    }
    return Arrays.copyOf(w.buf, w.size);
  }

  /**
   * Recomputes, in place, the trailer of an encoded record whose body was edited: the CRC32C, and,
   * when the record's flags say signed and this codec holds a key, the HMAC after it. That is what
   * a writer can do with (or, keyless, without) the key; fault-injection tools and tests use it to
   * make records that get past the checksum or the signature and reach the checks behind them.
   *
   * @return {@code record}
   */
  public byte[] reseal(byte[] record) {
    if (record.length < PREAMBLE) {
      throw new IllegalArgumentException("not a record: " + record.length + " bytes");
    }
    short flags =
        ByteBuffer.wrap(record, PREAMBLE - 2, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    boolean signed = (flags & FLAG_SIGNED) != 0;
    int crcAt = record.length - CRC_BYTES - (signed ? HMAC_BYTES : 0);
    CRC32C crc = new CRC32C();
    crc.update(record, 0, crcAt);
    ByteBuffer.wrap(record, crcAt, CRC_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) crc.getValue());
    if (signed && signing()) {
      System.arraycopy(
          hmac(hmacKey, record, crcAt + CRC_BYTES), 0, record, crcAt + CRC_BYTES, HMAC_BYTES);
    }
    return record;
  }

  /**
   * Decodes and verifies a checkpoint.
   *
   * @param source names the checkpoint in error messages (a file, or topic-partition@offset)
   */
  public Checkpoint decode(byte[] bytes, String source) {
    if (bytes == null || bytes.length < PREAMBLE + CRC_BYTES) {
      throw reject(
          Reason.TRUNCATED,
          source,
          "only " + (bytes == null ? 0 : bytes.length) + " bytes, too short for a checkpoint");
    }
    ByteBuffer pre = ByteBuffer.wrap(bytes, 0, PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[4];
    pre.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw reject(Reason.BAD_MAGIC, source, "not a vae-stream checkpoint (bad magic)");
    }
    int version = pre.getShort() & 0xffff;
    if (version < OLDEST_READABLE || version > VERSION) {
      throw reject(
          Reason.BAD_VERSION,
          source,
          "format version "
              + version
              + ", this build reads versions "
              + OLDEST_READABLE
              + " to "
              + VERSION);
    }
    boolean signed = (pre.getShort() & FLAG_SIGNED) != 0;
    int trailer = CRC_BYTES + (signed ? HMAC_BYTES : 0);
    if (bytes.length < PREAMBLE + trailer) {
      throw reject(Reason.TRUNCATED, source, "too short for its trailer");
    }
    int crcAt = bytes.length - trailer;
    if (signing()) {
      if (!signed) {
        throw reject(Reason.UNSIGNED, source, "unsigned, but a signing key is configured");
      }
      byte[] expected = hmac(hmacKey, bytes, crcAt + CRC_BYTES);
      byte[] actual = Arrays.copyOfRange(bytes, crcAt + CRC_BYTES, bytes.length);
      if (!MessageDigest.isEqual(expected, actual)) {
        throw reject(Reason.BAD_SIGNATURE, source, "HMAC signature does not match the key");
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, crcAt);
    int storedCrc =
        ByteBuffer.wrap(bytes, crcAt, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if ((int) crc.getValue() != storedCrc) {
      throw reject(Reason.BAD_CHECKSUM, source, "CRC32C mismatch: corrupt or truncated");
    }
    try {
      return body(
          ByteBuffer.wrap(bytes, PREAMBLE, crcAt - PREAMBLE).slice().order(ByteOrder.LITTLE_ENDIAN),
          source);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw reject(Reason.BAD_LENGTH, source, "fields run past the end of the record");
    }
  }

  private static Checkpoint body(ByteBuffer r, String source) {
    byte[] fingerprint = new byte[32];
    r.get(fingerprint);
    if (!Arrays.equals(fingerprint, VaeArchitecture.fingerprint())) {
      throw reject(
          Reason.WRONG_ARCHITECTURE,
          source,
          "architecture fingerprint differs from this build's ("
              + VaeArchitecture.DESCRIPTION
              + ")");
    }
    long step = r.getLong();
    long imagesSeen = r.getLong();
    long createdAt = r.getLong();
    long seed = r.getLong();
    int nOffsets = count(r, source);
    List<InputOffset> offsets = new ArrayList<>(nOffsets);
    for (int i = 0; i < nOffsets; i++) {
      offsets.add(new InputOffset(str(r), r.getInt(), r.getLong()));
    }
    long calibrationCount = r.getLong();
    int nQuantiles = count(r, source);
    Map<Double, Double> quantiles = new LinkedHashMap<>();
    for (int i = 0; i < nQuantiles; i++) {
      quantiles.put(r.getDouble(), r.getDouble());
    }
    int nMeta = count(r, source);
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < nMeta; i++) {
      metadata.put(str(r), str(r));
    }
    float[] params = floats(r, source);
    if (params.length != VaeArchitecture.parameterCount()) {
      throw reject(
          Reason.WRONG_ARCHITECTURE,
          source,
          params.length + " parameters, this architecture has " + VaeArchitecture.parameterCount());
    }
    float[] adam = floats(r, source);
    if (adam.length != 0 && adam.length != 2 * params.length) {
      throw reject(Reason.BAD_LENGTH, source, "Adam state of " + adam.length + " values");
    }
    int nArrays = count(r, source);
    Map<String, float[]> arrays = new LinkedHashMap<>();
    for (int i = 0; i < nArrays; i++) {
      arrays.put(str(r), floats(r, source));
    }
    if (r.hasRemaining()) {
      throw reject(Reason.BAD_LENGTH, source, r.remaining() + " unexpected trailing bytes");
    }
    return new Checkpoint(
        step,
        imagesSeen,
        createdAt,
        seed,
        offsets,
        new Calibration(calibrationCount, quantiles),
        metadata,
        params,
        adam,
        arrays);
  }

  private static int count(ByteBuffer r, String source) {
    int n = r.getInt();
    if (n < 0 || n > r.remaining()) {
      throw reject(Reason.BAD_LENGTH, source, "implausible count " + n);
    }
    return n;
  }

  private static float[] floats(ByteBuffer r, String source) {
    int n = r.getInt();
    if (n < 0 || (long) n * 4 > r.remaining()) {
      throw reject(Reason.BAD_LENGTH, source, "array of " + n + " floats exceeds the record");
    }
    float[] out = new float[n];
    r.asFloatBuffer().get(out);
    r.position(r.position() + 4 * n);
    return out;
  }

  private static String str(ByteBuffer r) {
    int n = r.getShort() & 0xffff;
    byte[] b = new byte[n];
    r.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static CheckpointFormatException reject(Reason reason, String source, String detail) {
    return new CheckpointFormatException(
        reason, "checkpoint " + source + " rejected (" + reason.code() + "): " + detail);
  }

  private static byte[] hmac(byte[] key, byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance(HMAC_ALGORITHM);
      mac.init(new SecretKeySpec(key, HMAC_ALGORITHM));
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** A growable little-endian byte writer. */
  private static final class Writer {
    private byte[] buf;
    private int size;
    private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    void u16(int v) {
      if (v < 0 || v > 0xffff) {
        throw new IllegalArgumentException("value " + v + " does not fit in 16 bits");
      }
      scratch.clear();
      scratch.putShort((short) v);
      bytes(Arrays.copyOf(scratch.array(), 2));
    }

    void i32(int v) {
      scratch.clear();
      scratch.putInt(v);
      bytes(Arrays.copyOf(scratch.array(), 4));
    }

    void i64(long v) {
      scratch.clear();
      scratch.putLong(v);
      bytes(Arrays.copyOf(scratch.array(), 8));
    }

    void f64(double v) {
      i64(Double.doubleToRawLongBits(v));
    }

    void str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u16(b.length);
      bytes(b);
    }

    void floats(float[] values) {
      i32(values.length);
      ensure(4 * values.length);
      ByteBuffer.wrap(buf, size, 4 * values.length)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .put(values);
      size += 4 * values.length;
    }
  }
}
