package dev.vaestream.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.record.InvalidRecordException.Reason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ImageRecordCodecTest {
  private final byte[] pixels = new byte[784];

  {
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
  }

  private ImageRecord image(AnomalyKind kind) {
    return new ImageRecord(
        ImageRecord.id(MnistSplit.TRAIN, 12, 3), pixels, 7, MnistSplit.TRAIN, 12, kind, 1234L);
  }

  @Test
  void roundTripsEveryField() throws Exception {
    ProducerRecord<byte[], byte[]> r =
        ImageRecordCodec.toProducerRecord("t", image(AnomalyKind.NOISE));
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("train:12:3");
    assertThat(r.value()).hasSize(785);
    assertThat(r.value()[0]).isEqualTo((byte) 1);
    ImageRecord back = ImageRecordCodec.decode(r.key(), r.value(), r.headers());
    assertThat(back.id()).isEqualTo("train:12:3");
    assertThat(back.pixels()).isEqualTo(pixels);
    assertThat(back.label()).isEqualTo(7);
    assertThat(back.split()).isEqualTo(MnistSplit.TRAIN);
    assertThat(back.index()).isEqualTo(12);
    assertThat(back.anomaly()).isEqualTo(AnomalyKind.NOISE);
    assertThat(back.producedAtMs()).isEqualTo(1234L);
  }

  @Test
  void phaseHeaderIsOptionalAndRoundTrips() throws Exception {
    ImageRecord plain = image(null);
    assertThat(ImageRecordCodec.headers(plain).lastHeader(ImageRecordCodec.H_PHASE)).isNull();
    ProducerRecord<byte[], byte[]> old = ImageRecordCodec.toProducerRecord("t", plain);
    assertThat(ImageRecordCodec.decode(old.key(), old.value(), old.headers()).phase()).isNull();
    ImageRecord phased =
        new ImageRecord(
            plain.id(),
            plain.pixels(),
            plain.label(),
            plain.split(),
            plain.index(),
            null,
            plain.producedAtMs(),
            "rotated-40");
    ProducerRecord<byte[], byte[]> r = ImageRecordCodec.toProducerRecord("t", phased);
    assertThat(ImageRecordCodec.decode(r.key(), r.value(), r.headers()).phase())
        .isEqualTo("rotated-40");
    Headers tooLong = ImageRecordCodec.headers(plain);
    tooLong.add(ImageRecordCodec.H_PHASE, "x".repeat(65).getBytes(StandardCharsets.UTF_8));
    assertThat(reasonOf(r.key(), r.value(), tooLong)).isEqualTo(Reason.BAD_HEADER);
  }

  @Test
  void anomalyHeaderOnlyOnAnomalies() {
    Headers h = ImageRecordCodec.headers(image(null));
    assertThat(h.lastHeader(ImageRecordCodec.H_ANOMALY)).isNull();
    assertThat(h.lastHeader(ImageRecordCodec.H_LABEL)).isNotNull();
  }

  private static Reason reasonOf(byte[] key, byte[] value, Headers headers) {
    try {
      ImageRecordCodec.decode(key, value, headers);
      throw new AssertionError("expected rejection");
    } catch (InvalidRecordException e) {
      return e.reason();
    }
  }

  @Test
  void rejectsEachKindOfBadRecord() {
    ProducerRecord<byte[], byte[]> good =
        ImageRecordCodec.toProducerRecord("t", image(AnomalyKind.NOISE));
    byte[] key = good.key();
    byte[] value = good.value();
    Headers headers = good.headers();
    assertThat(reasonOf(null, value, headers)).isEqualTo(Reason.NULL_KEY);
    assertThat(reasonOf(key, null, headers)).isEqualTo(Reason.NULL_VALUE);
    assertThat(reasonOf(key, new byte[0], headers)).isEqualTo(Reason.BAD_SIZE);
    assertThat(reasonOf(key, java.util.Arrays.copyOf(value, 100), headers))
        .isEqualTo(Reason.BAD_SIZE);
    byte[] v2 = value.clone();
    v2[0] = 2;
    assertThat(reasonOf(key, v2, headers)).isEqualTo(Reason.BAD_VERSION);
    assertThat(reasonOf(key, value, new RecordHeaders())).isEqualTo(Reason.MISSING_HEADER);

    for (String[] bad :
        new String[][] {
          {ImageRecordCodec.H_LABEL, "12"},
          {ImageRecordCodec.H_LABEL, "x"},
          {ImageRecordCodec.H_SPLIT, "validation"},
          {ImageRecordCodec.H_INDEX, "-1"},
          {ImageRecordCodec.H_PRODUCED_AT, "yesterday"},
          {ImageRecordCodec.H_ANOMALY, "blur"}
        }) {
      Headers h = new RecordHeaders(headers.toArray());
      h.remove(bad[0]);
      h.add(bad[0], bad[1].getBytes(StandardCharsets.UTF_8));
      assertThat(reasonOf(key, value, h)).as(bad[0] + "=" + bad[1]).isEqualTo(Reason.BAD_HEADER);
    }
  }

  @Test
  void invalidRecordMessagesAreSpecific() {
    assertThatThrownBy(() -> ImageRecordCodec.decode("k".getBytes(), new byte[10], null))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("value version 0, expected 1");
  }
}
