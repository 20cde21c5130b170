package dev.vaestream.core.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.record.InvalidRecordException.Reason;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Hostile input on {@code mnist.images}, generated: null, empty and random keys; null, truncated,
 * oversize, wrong-version and random values; no headers, missing, null-valued, duplicated and
 * garbage headers. Whatever arrives, {@link ImageRecordCodec#decode} returns a well-formed image or
 * throws {@link InvalidRecordException} with a reason: any other exception would escape the
 * trainer's and scorer's poll loops instead of sending the record to the dead-letter topic.
 */
class ImageRecordCodecPropertiesTest {
  private static final int PIXELS = MnistDataset.PIXELS;
  private static final List<String> HEADER_NAMES =
      List.of(
          ImageRecordCodec.H_LABEL,
          ImageRecordCodec.H_SPLIT,
          ImageRecordCodec.H_INDEX,
          ImageRecordCodec.H_ANOMALY,
          ImageRecordCodec.H_PRODUCED_AT,
          "x-unknown");

  @Property(tries = 1500)
  void anyRecordIsAWellFormedImageOrRejectedWithAReason(
      @ForAll("keys") byte[] key,
      @ForAll("values") byte[] value,
      @ForAll("headers") Headers headers) {
    // The generators must reach every outcome, or a check below would be vacuous.
    Statistics.coverage(
        coverage -> {
          coverage.check("accepted").count(n -> n > 0);
          for (Reason reason : Reason.values()) {
            coverage.check(reason.code()).count(n -> n > 0);
          }
        });
    ImageRecord image;
    try {
      image = ImageRecordCodec.decode(key, value, headers);
    } catch (InvalidRecordException e) {
      Statistics.collect(e.reason().code());
      assertThat(e.getMessage()).isNotBlank();
      Optional<Reason> structural = structuralDefect(key, value);
      if (structural.isPresent()) {
        assertThat(e.reason()).isEqualTo(structural.get());
      } else {
        assertThat(e.reason()).isIn(Reason.MISSING_HEADER, Reason.BAD_HEADER);
      }
      // The dead-letter copy of any rejected record can be built, reason and bytes intact.
      ConsumerRecord<byte[], byte[]> consumed = consumed(key, value, headers);
      ProducerRecord<byte[], byte[]> dead = DeadLetters.of(consumed, e, "test", Topics.IMAGES_DLQ);
      assertThat(dead.key()).isSameAs(key);
      assertThat(dead.value()).isSameAs(value);
      assertThat(new String(dead.headers().lastHeader(DeadLetters.H_REASON).value(), UTF_8))
          .isEqualTo(e.reason().code());
      return;
    }
    Statistics.collect("accepted");
    // Accepted: only a structurally valid record may be, and it says exactly what the bytes say.
    assertThat(structuralDefect(key, value)).isEmpty();
    assertThat(image.id()).isEqualTo(new String(key, UTF_8));
    assertThat(image.pixels()).isEqualTo(Arrays.copyOfRange(value, 1, value.length));
    assertThat(image.label()).isBetween(-1, 9);
    assertThat(image.index()).isNotNegative();
    assertThat(image.split()).isNotNull();
    assertThat(headers.lastHeader(ImageRecordCodec.H_SPLIT)).isNotNull();
    assertThat(headers.lastHeader(ImageRecordCodec.H_INDEX)).isNotNull();
    assertThat(headers.lastHeader(ImageRecordCodec.H_PRODUCED_AT)).isNotNull();
  }

  @Property(tries = 300)
  void everyImageTheProducerEncodesDecodesToItself(@ForAll("images") ImageRecord image)
      throws InvalidRecordException {
    ProducerRecord<byte[], byte[]> sent = ImageRecordCodec.toProducerRecord("mnist.images", image);
    ImageRecord back = ImageRecordCodec.decode(consumed(sent.key(), sent.value(), sent.headers()));

    assertThat(back.id()).isEqualTo(image.id());
    assertThat(back.pixels()).isEqualTo(image.pixels());
    assertThat(back.label()).isEqualTo(image.label());
    assertThat(back.split()).isEqualTo(image.split());
    assertThat(back.index()).isEqualTo(image.index());
    assertThat(back.anomaly()).isEqualTo(image.anomaly());
    assertThat(back.producedAtMs()).isEqualTo(image.producedAtMs());
  }

  /** The reason the key and value alone force, checked in the decoder's order; empty if none. */
  private static Optional<Reason> structuralDefect(byte[] key, byte[] value) {
    if (key == null || key.length == 0) {
      return Optional.of(Reason.NULL_KEY);
    }
    if (value == null) {
      return Optional.of(Reason.NULL_VALUE);
    }
    if (value.length == 0) {
      return Optional.of(Reason.BAD_SIZE);
    }
    if (value[0] != ImageRecordCodec.VERSION) {
      return Optional.of(Reason.BAD_VERSION);
    }
    if (value.length != ImageRecordCodec.VALUE_SIZE) {
      return Optional.of(Reason.BAD_SIZE);
    }
    return Optional.empty();
  }

  private static ConsumerRecord<byte[], byte[]> consumed(
      byte[] key, byte[] value, Headers headers) {
    return new ConsumerRecord<>(
        "mnist.images",
        0,
        42L,
        0L,
        TimestampType.CREATE_TIME,
        key == null ? -1 : key.length,
        value == null ? -1 : value.length,
        key,
        value,
        headers == null ? new RecordHeaders() : headers,
        Optional.empty());
  }

  // ---- generators ----

  private static Arbitrary<byte[]> randomBytes(int maxSize) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
  }

  private static Arbitrary<byte[]> pixels() {
    return Arbitraries.bytes().array(byte[].class).ofSize(PIXELS);
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Arbitraries.frequencyOf(
            Tuple.of(4, images().map(i -> i.id().getBytes(UTF_8))),
            Tuple.of(2, randomBytes(64)),
            Tuple.of(1, Arbitraries.strings().ofMaxLength(40).map(s -> s.getBytes(UTF_8))),
            Tuple.of(1, Arbitraries.just(new byte[0])))
        .injectNull(0.1);
  }

  @Provide
  Arbitrary<byte[]> values() {
    Arbitrary<byte[]> valid = pixels().map(ImageRecordCodec::encodeValue);
    Arbitrary<byte[]> truncated =
        Combinators.combine(valid, Arbitraries.integers().between(0, PIXELS)).as(Arrays::copyOf);
    Arbitrary<byte[]> oversize =
        Combinators.combine(
                valid, Arbitraries.integers().between(ImageRecordCodec.VALUE_SIZE + 1, 1 << 16))
            .as(Arrays::copyOf);
    Arbitrary<byte[]> wrongVersion =
        Combinators.combine(valid, Arbitraries.bytes().filter(b -> b != ImageRecordCodec.VERSION))
            .as(
                (v, version) -> {
                  v[0] = version;
                  return v;
                });
    return Arbitraries.frequencyOf(
            Tuple.of(5, valid),
            Tuple.of(2, truncated),
            Tuple.of(2, oversize),
            Tuple.of(2, wrongVersion),
            Tuple.of(2, randomBytes(2 * ImageRecordCodec.VALUE_SIZE)))
        .injectNull(0.05);
  }

  /** A header value a hostile or buggy producer might send; null is a header without a value. */
  private static Arbitrary<byte[]> garbageHeaderValue() {
    return Arbitraries.oneOf(
            randomBytes(64),
            Arbitraries.strings().ofMaxLength(30).map(s -> s.getBytes(UTF_8)),
            Arbitraries.of(
                    "",
                    " ",
                    "-1",
                    "10",
                    "+7",
                    " 3 ",
                    "-0",
                    "2147483648",
                    "-2147483649",
                    "9223372036854775808",
                    "1e3",
                    "0x1F",
                    "NaN",
                    "train",
                    "TEST",
                    "validation",
                    "noise",
                    "blur",
                    "\u0663")
                .map(s -> s.getBytes(UTF_8)))
        .injectNull(0.15);
  }

  private record Mutation(int op, String name, byte[] value) {}

  @Provide
  Arbitrary<Headers> headers() {
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(HEADER_NAMES),
                garbageHeaderValue())
            .as(Mutation::new);
    return Combinators.combine(images(), mutation.list().ofMaxSize(4))
        .as(
            (image, mutations) -> {
              Headers h = new RecordHeaders(ImageRecordCodec.headers(image).toArray());
              for (Mutation m : mutations) {
                switch (m.op()) {
                  case 0 -> h.remove(m.name());
                  case 1 -> {
                    h.remove(m.name());
                    h.add(m.name(), m.value());
                  }
                  default -> h.add(m.name(), m.value()); // a duplicate: the last one counts
                }
              }
              return h;
            })
        .injectNull(0.05);
  }

  @Provide
  Arbitrary<ImageRecord> images() {
    Arbitrary<MnistSplit> split = Arbitraries.of(MnistSplit.class);
    Arbitrary<Integer> index = Arbitraries.integers().greaterOrEqual(0);
    Arbitrary<Long> pass = Arbitraries.longs().greaterOrEqual(0);
    Arbitrary<Integer> label = Arbitraries.integers().between(-1, 9);
    Arbitrary<AnomalyKind> anomaly = Arbitraries.of(AnomalyKind.class).injectNull(0.5);
    Arbitrary<Long> producedAt = Arbitraries.longs();
    return Combinators.combine(split, index, pass, label, anomaly, producedAt, pixels())
        .as((s, i, p, l, a, t, px) -> new ImageRecord(ImageRecord.id(s, i, p), px, l, s, i, a, t));
  }
}
