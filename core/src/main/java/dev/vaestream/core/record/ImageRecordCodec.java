package dev.vaestream.core.record;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.InvalidRecordException.Reason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The wire format of {@code mnist.images}, which every downstream consumer depends on.
 *
 * <ul>
 *   <li>key: the image id, UTF-8 ({@code train:12345:0});
 *   <li>value: version byte {@value #VERSION}, then 784 pixel bytes (row-major, 0 = black);
 *   <li>headers (UTF-8 text): {@value #H_LABEL}, {@value #H_SPLIT}, {@value #H_INDEX}, {@value
 *       #H_PRODUCED_AT} (epoch ms), {@value #H_ANOMALY} only on injected anomalies, and {@value
 *       #H_PHASE} only on images of a drift scenario (at most {@value #MAX_PHASE} bytes).
 * </ul>
 *
 * <p>{@code split}, {@code index} and {@code produced_at} are required; {@code label} is optional
 * (0-9 when present).
 */
public final class ImageRecordCodec {
  public static final byte VERSION = 1;
  public static final int VALUE_SIZE = 1 + MnistDataset.PIXELS;

  public static final String H_LABEL = "label";
  public static final String H_SPLIT = "split";
  public static final String H_INDEX = "index";
  public static final String H_ANOMALY = "anomaly_kind";
  public static final String H_PRODUCED_AT = "produced_at";
  public static final String H_PHASE = "phase";
  public static final int MAX_PHASE = 64;

  private ImageRecordCodec() {}

  /** The record value: version byte then pixels. */
  public static byte[] encodeValue(byte[] pixels) {
    if (pixels.length != MnistDataset.PIXELS) {
      throw new IllegalArgumentException("expected " + MnistDataset.PIXELS + " pixels");
    }
    byte[] value = new byte[VALUE_SIZE];
    value[0] = VERSION;
    System.arraycopy(pixels, 0, value, 1, pixels.length);
    return value;
  }

  /** The record headers for {@code image}. */
  public static Headers headers(ImageRecord image) {
    RecordHeaders headers = new RecordHeaders();
    if (image.hasLabel()) {
      headers.add(H_LABEL, utf8(Integer.toString(image.label())));
    }
    headers.add(H_SPLIT, utf8(image.split().wireName()));
    headers.add(H_INDEX, utf8(Integer.toString(image.index())));
    if (image.anomaly() != null) {
      headers.add(H_ANOMALY, utf8(image.anomaly().wireName()));
    }
    headers.add(H_PRODUCED_AT, utf8(Long.toString(image.producedAtMs())));
    if (image.phase() != null) {
      headers.add(H_PHASE, utf8(image.phase()));
    }
    return headers;
  }

  /** A producer record for {@code image} on {@code topic}. */
  public static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, ImageRecord image) {
    return new ProducerRecord<>(
        topic, null, utf8(image.id()), encodeValue(image.pixels()), headers(image));
  }

  /** Decodes and validates a consumed record. */
  public static ImageRecord decode(ConsumerRecord<byte[], byte[]> record)
      throws InvalidRecordException {
    return decode(record.key(), record.value(), record.headers());
  }

  /** Decodes and validates a key, value and headers. */
  public static ImageRecord decode(byte[] key, byte[] value, Headers headers)
      throws InvalidRecordException {
    if (key == null || key.length == 0) {
      throw new InvalidRecordException(Reason.NULL_KEY, "record has no key (image id)");
    }
    if (value == null) {
      throw new InvalidRecordException(Reason.NULL_VALUE, "record has no value");
    }
    if (value.length == 0) {
      throw new InvalidRecordException(Reason.BAD_SIZE, "empty value");
    }
    if (value[0] != VERSION) {
      throw new InvalidRecordException(
          Reason.BAD_VERSION, "value version " + (value[0] & 0xff) + ", expected " + VERSION);
    }
    if (value.length != VALUE_SIZE) {
      throw new InvalidRecordException(
          Reason.BAD_SIZE, "value is " + value.length + " bytes, expected " + VALUE_SIZE);
    }
    byte[] pixels = new byte[MnistDataset.PIXELS];
    System.arraycopy(value, 1, pixels, 0, pixels.length);
    String id = new String(key, StandardCharsets.UTF_8);

    String labelText = text(headers, H_LABEL, false);
    int label = -1;
    if (labelText != null) {
      label = parseInt(labelText, H_LABEL);
      if (label < 0 || label > 9) {
        throw new InvalidRecordException(Reason.BAD_HEADER, "label " + label + " is not 0-9");
      }
    }
    MnistSplit split;
    try {
      split = MnistSplit.fromWireName(text(headers, H_SPLIT, true));
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(Reason.BAD_HEADER, e.getMessage());
    }
    int index = parseInt(text(headers, H_INDEX, true), H_INDEX);
    if (index < 0) {
      throw new InvalidRecordException(Reason.BAD_HEADER, "negative index " + index);
    }
    long producedAt = parseLong(text(headers, H_PRODUCED_AT, true), H_PRODUCED_AT);
    AnomalyKind anomaly = null;
    String anomalyText = text(headers, H_ANOMALY, false);
    if (anomalyText != null) {
      try {
        anomaly = AnomalyKind.fromWireName(anomalyText);
      } catch (IllegalArgumentException e) {
        throw new InvalidRecordException(Reason.BAD_HEADER, e.getMessage());
      }
    }
    String phase = text(headers, H_PHASE, false);
    if (phase != null && (phase.isEmpty() || phase.length() > MAX_PHASE)) {
      throw new InvalidRecordException(
          Reason.BAD_HEADER, "phase of " + phase.length() + " characters, expected 1-" + MAX_PHASE);
    }
    return new ImageRecord(id, pixels, label, split, index, anomaly, producedAt, phase);
  }

  private static String text(Headers headers, String name, boolean required)
      throws InvalidRecordException {
    Header header = headers == null ? null : headers.lastHeader(name);
    if (header == null || header.value() == null) {
      if (required) {
        throw new InvalidRecordException(Reason.MISSING_HEADER, "missing header " + name);
      }
      return null;
    }
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static int parseInt(String text, String header) throws InvalidRecordException {
    long v = parseLong(text, header);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new InvalidRecordException(Reason.BAD_HEADER, header + " out of range: " + text);
    }
    return (int) v;
  }

  private static long parseLong(String text, String header) throws InvalidRecordException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRecordException(
          Reason.BAD_HEADER, header + " is not a number: '" + abbreviate(text) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
