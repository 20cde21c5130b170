package dev.vaestream.core.record;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistSplit;
import java.util.Optional;

/**
 * One image as it travels on {@code mnist.images}: the key is {@link #id()}, the value is the
 * versioned pixel payload, the rest travels in headers (see {@link ImageRecordCodec}).
 *
 * @param id stable image id, {@code <split>:<index>:<pass>}
 * @param pixels 784 unsigned bytes, row-major 28x28
 * @param label the digit 0-9, or -1 when unknown
 * @param split the MNIST split the image (or the digit an anomaly was made from) came from
 * @param index the image's index in its split
 * @param anomaly the injected anomaly kind, or null for a real digit
 * @param producedAtMs when the producer created the record, epoch milliseconds
 * @param phase the drift-scenario phase the image was drawn in (ground truth), or null outside a
 *     scenario
 */
public record ImageRecord(
    String id,
    byte[] pixels,
    int label,
    MnistSplit split,
    int index,
    AnomalyKind anomaly,
    long producedAtMs,
    String phase) {

  /** An image outside any drift scenario (no {@code phase}). */
  public ImageRecord(
      String id,
      byte[] pixels,
      int label,
      MnistSplit split,
      int index,
      AnomalyKind anomaly,
      long producedAtMs) {
    this(id, pixels, label, split, index, anomaly, producedAtMs, null);
  }

  /** The stable id of image {@code index} of {@code split} on loop pass {@code pass}. */
  public static String id(MnistSplit split, int index, long pass) {
    return split.wireName() + ":" + index + ":" + pass;
  }

  public Optional<AnomalyKind> anomalyKind() {
    return Optional.ofNullable(anomaly);
  }

  public boolean hasLabel() {
    return label >= 0;
  }
}
