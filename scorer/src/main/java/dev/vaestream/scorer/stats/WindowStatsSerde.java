package dev.vaestream.scorer.stats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The wire format of {@link WindowStats} in the window store and its changelog: a version byte,
 * varint counts, the sums as raw doubles, each histogram sparse (non-zero bins only) and the
 * per-kind counts, then (since version 2) the counts scored while adapting to a drift. Version-1
 * values, from a changelog written before drift handling, still read: they count nothing as
 * adapting. Hand-rolled because it runs twice per score (store read and write).
 */
final class WindowStatsSerde {
  private static final byte VERSION = 2;
  private static final byte VERSION_1 = 1;

  private WindowStatsSerde() {}

  static Serde<WindowStats> create() {
    return Serdes.serdeFrom(new StatsSerializer(), new StatsDeserializer());
  }

  private static int nonZero(long[] hist) {
    int n = 0;
    for (long c : hist) {
      if (c != 0) {
        n++;
      }
    }
    return n;
  }

  private static final class StatsSerializer implements Serializer<WindowStats> {
    @Override
    public byte[] serialize(String topic, WindowStats s) {
      if (s == null) {
        return null;
      }
      int normalBins = nonZero(s.normalHist);
      int anomalyBins = nonZero(s.anomalyHist);
      Writer w = new Writer(64 + 4 * normalBins + 4 * anomalyBins);
      w.buf[w.pos++] = VERSION;
      w.varLong(s.count);
      w.varLong(s.flagged);
      w.varLong(s.normals);
      w.varLong(s.normalsFlagged);
      w.fixedLong(Double.doubleToRawLongBits(s.sum));
      w.fixedLong(Double.doubleToRawLongBits(s.min));
      w.fixedLong(Double.doubleToRawLongBits(s.max));
      w.sparse(s.normalHist, normalBins);
      w.sparse(s.anomalyHist, anomalyBins);
      w.varLong(s.kinds.size());
      for (Map.Entry<String, long[]> k : s.kinds.entrySet()) {
        byte[] name = k.getKey().getBytes(StandardCharsets.UTF_8);
        w.varLong(name.length);
        w.bytes(name);
        w.varLong(k.getValue()[0]);
        w.varLong(k.getValue()[1]);
      }
      w.varLong(s.adapting);
      w.varLong(s.adaptingFlagged);
      w.varLong(s.adaptingNormalsFlagged);
      return Arrays.copyOf(w.buf, w.pos);
    }
  }

  /** A growable byte array writer without per-byte locking. */
  private static final class Writer {
    private byte[] buf;
    private int pos;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, pos + n));
      }
    }

    void varLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void fixedLong(long v) {
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[pos++] = (byte) (v >>> (8 * i));
      }
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    /** The {@code nonZero} non-zero bins of {@code hist}: their count, then (bin, count) pairs. */
    void sparse(long[] hist, int nonZero) {
      varLong(nonZero);
      for (int b = 0; b < hist.length; b++) {
        if (hist[b] != 0) {
          varLong(b);
          varLong(hist[b]);
        }
      }
    }
  }

  private static final class StatsDeserializer implements Deserializer<WindowStats> {
    @Override
    public WindowStats deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      Reader r = new Reader(data);
      byte version = data[r.pos++];
      if (version != VERSION && version != VERSION_1) {
        throw new IllegalArgumentException(
            "window stats format " + version + ", expected " + VERSION_1 + " or " + VERSION);
      }
      WindowStats s = new WindowStats();
      s.count = r.varLong();
      s.flagged = r.varLong();
      s.normals = r.varLong();
      s.normalsFlagged = r.varLong();
      s.sum = Double.longBitsToDouble(r.fixedLong());
      s.min = Double.longBitsToDouble(r.fixedLong());
      s.max = Double.longBitsToDouble(r.fixedLong());
      r.sparse(s.normalHist);
      r.sparse(s.anomalyHist);
      long kinds = r.varLong();
      for (long i = 0; i < kinds; i++) {
        int length = (int) r.varLong();
        String name = new String(data, r.pos, length, StandardCharsets.UTF_8);
        r.pos += length;
        long count = r.varLong();
        long flagged = r.varLong();
        s.kinds.put(name, new long[] {count, flagged});
      }
      if (version >= 2) {
        s.adapting = r.varLong();
        s.adaptingFlagged = r.varLong();
        s.adaptingNormalsFlagged = r.varLong();
      }
      return s;
    }
  }

  private static final class Reader {
    private final byte[] data;
    private int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    long varLong() {
      long v = 0;
      int shift = 0;
      while (true) {
        byte b = data[pos++];
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
        shift += 7;
      }
    }

    long fixedLong() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (data[pos++] & 0xFFL) << (8 * i);
      }
      return v;
    }

    void sparse(long[] hist) {
      long nonZero = varLong();
      for (long i = 0; i < nonZero; i++) {
        int b = (int) varLong();
        hist[b] = varLong();
      }
    }
  }
}
