package dev.vaestream.core.record;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The score record's JSON written by hand into a byte array, for {@link ScoreRecordCodec#encode}:
 * the same fields, order and number formatting as Jackson's generator ({@code Double.toString},
 * {@code Long.toString}), with the field names and punctuation pre-encoded. Returns null when a
 * value needs what only the generator does (escaping a string, quoting a non-finite number), so the
 * output is always byte for byte the generator's ({@code ScoreRecordCodecTest}).
 *
 * <p>It knows the record's groups listed in {@link #KNOWN_GROUPS}: when {@link ScoreRecord} gains a
 * group (new fields), it steps aside until it is taught them, so a field is never left out; {@code
 * ScoreRecordCodecTest} then fails to say so.
 */
final class FastScoreJson {
  /** The record components this writer writes. */
  static final List<String> KNOWN_GROUPS =
      List.of("source", "verdict", "model", "truth", "timing", "drift");

  /** False when {@link ScoreRecord} has components this writer does not know. */
  static final boolean ENABLED =
      Arrays.stream(ScoreRecord.class.getRecordComponents())
          .map(RecordComponent::getName)
          .toList()
          .equals(KNOWN_GROUPS);

  private static final byte[] SCHEMA_VERSION =
      ascii("{\"" + ScoreRecordCodec.F_SCHEMA_VERSION + "\":" + ScoreRecordCodec.SCHEMA_VERSION);
  private static final byte[] IMAGE_ID = field(ScoreRecordCodec.F_IMAGE_ID);
  private static final byte[] PARTITION = field(ScoreRecordCodec.F_PARTITION);
  private static final byte[] OFFSET = field(ScoreRecordCodec.F_OFFSET);
  private static final byte[] SCORE = field(ScoreRecordCodec.F_SCORE);
  private static final byte[] THRESHOLD = field(ScoreRecordCodec.F_THRESHOLD);
  private static final byte[] ANOMALY = field(ScoreRecordCodec.F_ANOMALY);
  private static final byte[] MODEL_STEP = field(ScoreRecordCodec.F_MODEL_STEP);
  private static final byte[] MODEL_AGE_MS = field(ScoreRecordCodec.F_MODEL_AGE_MS);
  private static final byte[] LABEL = field(ScoreRecordCodec.F_LABEL);
  private static final byte[] ANOMALY_KIND = field(ScoreRecordCodec.F_ANOMALY_KIND);
  private static final byte[] PRODUCED_AT = field(ScoreRecordCodec.F_PRODUCED_AT);
  private static final byte[] SCORED_AT = field(ScoreRecordCodec.F_SCORED_AT);
  private static final byte[] LATENCY_MS = field(ScoreRecordCodec.F_LATENCY_MS);
  private static final byte[] DRIFT_EVENTS = field(ScoreRecordCodec.F_DRIFT_EVENTS);
  private static final byte[] IMAGES_SINCE_DRIFT = field(ScoreRecordCodec.F_IMAGES_SINCE_DRIFT);
  private static final byte[] ADAPTING = field(ScoreRecordCodec.F_ADAPTING);
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");

  private byte[] buf = new byte[320];
  private int len;

  private FastScoreJson() {}

  /** The record's JSON, or null when it needs the generator. */
  static byte[] encode(ScoreRecord r) {
    if (!ENABLED
        || !plain(r.imageId())
        || !Double.isFinite(r.score())
        || (r.threshold() != null && !Double.isFinite(r.threshold()))
        || (r.anomalyKind() != null && !plain(r.anomalyKind()))) {
      return null;
    }
    FastScoreJson w = new FastScoreJson();
    w.raw(SCHEMA_VERSION);
    w.raw(IMAGE_ID).string(r.imageId());
    w.raw(PARTITION).number(r.partition());
    w.raw(OFFSET).number(r.offset());
    w.raw(SCORE).number(r.score());
    w.raw(THRESHOLD);
    if (r.threshold() == null) {
      w.raw(NULL);
    } else {
      w.number(r.threshold());
    }
    w.raw(ANOMALY).raw(r.anomaly() ? TRUE : FALSE);
    w.raw(MODEL_STEP).number(r.modelStep());
    w.raw(MODEL_AGE_MS).number(r.modelAgeMs());
    if (r.label() != null) {
      w.raw(LABEL).number(r.label());
    }
    if (r.anomalyKind() != null) {
      w.raw(ANOMALY_KIND).string(r.anomalyKind());
    }
    w.raw(PRODUCED_AT).number(r.producedAt());
    w.raw(SCORED_AT).number(r.scoredAt());
    w.raw(LATENCY_MS).number(r.latencyMs());
    ScoreRecord.Drift drift = r.drift();
    if (drift != null) {
      w.raw(DRIFT_EVENTS).number(drift.events());
      w.raw(IMAGES_SINCE_DRIFT).number(drift.imagesSince());
      w.raw(ADAPTING).raw(drift.adapting() ? TRUE : FALSE);
    }
    w.ensure(1);
    w.buf[w.len++] = '}';
    return Arrays.copyOf(w.buf, w.len);
  }

  /** Printable ASCII without quote or backslash: written as is by the generator. */
  private static boolean plain(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private FastScoreJson raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  private void string(String s) {
    int n = s.length();
    ensure(n + 2);
    buf[len++] = '"';
    // Only printable ASCII gets here (see plain): one byte per char.
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
    buf[len++] = '"';
  }

  private void number(long v) {
    if (v >= 0 && v < 10) {
      ensure(1);
      buf[len++] = (byte) ('0' + v);
      return;
    }
    asciiText(Long.toString(v));
  }

  private void number(double v) {
    asciiText(Double.toString(v));
  }

  private void asciiText(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  private static byte[] field(String name) {
    return ascii(",\"" + name + "\":");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
