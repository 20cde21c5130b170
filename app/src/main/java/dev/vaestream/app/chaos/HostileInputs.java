package dev.vaestream.app.chaos;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Hostile records for the input topic, one kind after another from a seeded random source. Each is
 * built from a genuine image record and then broken in one way, and checked to be rejected by the
 * codec, so the campaign knows exactly which records must end up in the dead-letter topic.
 */
final class HostileInputs {
  /** The ways an input record is broken. */
  enum Kind {
    TRUNCATED,
    OVERSIZE,
    WRONG_VERSION,
    RANDOM_BYTES,
    MISSING_HEADERS,
    GARBAGE_HEADERS,
    NULL_KEY,
    NULL_VALUE;

    String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A hostile record and what is wrong with it. */
  record Hostile(Kind kind, ProducerRecord<byte[], byte[]> record) {}

  private static final String[] REQUIRED = {"split", "index", "produced_at"};
  private static final int LARGE_OVERSIZE = 900_000;

  private final String topic;
  private final MnistDataset images;
  private final SplittableRandom random;
  private int next;

  HostileInputs(String topic, long seed) {
    this.topic = topic;
    this.images = MnistDataset.bundled(MnistSplit.TEST);
    this.random = new SplittableRandom(seed);
  }

  /** The next hostile record; kinds take turns so every kind is tried. */
  Hostile next() {
    Kind kind = Kind.values()[next % Kind.values().length];
    int n = next++;
    // A random breakage can, rarely, still be a valid record (a garbage label that happens to be
    // a digit); the campaign only counts records the codec rejects.
    for (int attempt = 0; attempt < 100; attempt++) {
      ProducerRecord<byte[], byte[]> broken = breakIt(kind, genuine(n));
      try {
        ImageRecordCodec.decode(broken.key(), broken.value(), broken.headers());
      } catch (InvalidRecordException expected) {
        return new Hostile(kind, broken);
      }
    }
    throw new IllegalStateException("could not make a hostile " + kind + " record");
  }

  private ProducerRecord<byte[], byte[]> genuine(int n) {
    int index = random.nextInt(images.size());
    ImageRecord image =
        new ImageRecord(
            "hostile:" + n,
            images.image(index),
            images.label(index),
            MnistSplit.TEST,
            index,
            null,
            System.currentTimeMillis());
    return ImageRecordCodec.toProducerRecord(topic, image);
  }

  private ProducerRecord<byte[], byte[]> breakIt(Kind kind, ProducerRecord<byte[], byte[]> r) {
    byte[] key = r.key();
    byte[] value = r.value();
    Headers headers = copy(r.headers());
    switch (kind) {
      case TRUNCATED -> value = Arrays.copyOf(value, random.nextInt(0, value.length));
      case OVERSIZE -> {
        // Mostly a little too long; one in four close to the broker's default record limit.
        int extra =
            random.nextInt(4) == 0
                ? random.nextInt(100_000, LARGE_OVERSIZE)
                : random.nextInt(1, 10_000);
        byte[] longer = Arrays.copyOf(value, value.length + extra);
        fill(longer, value.length);
        value = longer;
      }
      case WRONG_VERSION -> value[0] = (byte) (2 + random.nextInt(254));
      case RANDOM_BYTES -> {
        value = new byte[random.nextInt(0, 2_000)];
        fill(value, 0);
        headers = random.nextBoolean() ? new RecordHeaders() : garbage(headers);
      }
      case MISSING_HEADERS -> {
        if (random.nextBoolean()) {
          headers = new RecordHeaders();
        } else {
          headers.remove(REQUIRED[random.nextInt(REQUIRED.length)]);
        }
      }
      case GARBAGE_HEADERS -> headers = garbage(headers);
      case NULL_KEY -> key = null;
      case NULL_VALUE -> value = null;
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
    return new ProducerRecord<>(topic, null, key, value, headers);
  }

  /** The same headers with one of them given a value no parser accepts. */
  private Headers garbage(Headers headers) {
    String[] names = {"label", "split", "index", "produced_at", "anomaly_kind"};
    String[][] values = {
      {"ten", "-1", "99", ""},
      {"validation", "TRAIN!", "", "\u0000"},
      {"-5", "1e3", "twelve", "99999999999999"},
      {"yesterday", "-", "12.5", ""},
      {"gremlins", "NOISE ", "?"}
    };
    int h = random.nextInt(names.length);
    Headers out = copy(headers);
    out.remove(names[h]);
    byte[] bad =
        random.nextInt(5) == 0
            ? new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80}
            : values[h][random.nextInt(values[h].length)].getBytes(StandardCharsets.UTF_8);
    out.add(new RecordHeader(names[h], bad));
    return out;
  }

  private void fill(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
  }

  private static Headers copy(Headers headers) {
    return new RecordHeaders(headers.toArray());
  }
}
