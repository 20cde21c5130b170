package dev.vaestream.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The one score-record codec against the shipped JSON Schema (the contract): what it writes is
 * valid and byte-for-byte the format the scorer always wrote, and it reads it back unchanged.
 */
class ScoreRecordCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = loadSchema();

  private static final ScoreRecord FULL =
      new ScoreRecord(
          new ScoreRecord.Source("test:17:0", 2, 1234),
          new ScoreRecord.Verdict(0.0425, 0.031, true),
          new ScoreRecord.Model(1800, 5230),
          new ScoreRecord.Truth(7, "noise"),
          new ScoreRecord.Timing(1_700_000_000_000L, 1_700_000_000_012L, 12));

  private static JsonSchema loadSchema() {
    try (InputStream in =
        ScoreRecordCodec.class.getResourceAsStream(ScoreRecordCodec.SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(ScoreRecordCodec.SCHEMA_RESOURCE + " not on the classpath");
      }
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> violations(byte[] json) {
    try {
      return SCHEMA.validate(JSON.readTree(json)).stream()
          .map(ValidationMessage::getMessage)
          .collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of("not JSON: " + e.getMessage());
    }
  }

  private static String text(ScoreRecord r) {
    return new String(ScoreRecordCodec.encode(r), StandardCharsets.UTF_8);
  }

  @Test
  void fieldsInTheDocumentedOrderAsTheScorerAlwaysWroteThem() {
    assertThat(text(FULL))
        .isEqualTo(
            "{\"schema_version\":1,\"image_id\":\"test:17:0\",\"partition\":2,\"offset\":1234,"
                + "\"score\":0.0425,\"threshold\":0.031,\"anomaly\":true,\"model_step\":1800,"
                + "\"model_age_ms\":5230,\"label\":7,\"anomaly_kind\":\"noise\","
                + "\"produced_at\":1700000000000,\"scored_at\":1700000000012,\"latency_ms\":12}");
  }

  @Test
  void optionalFieldsAreOmittedAndThresholdMayBeNull() {
    ScoreRecord bare =
        new ScoreRecord(
            new ScoreRecord.Source("train:1:0", 0, 0),
            new ScoreRecord.Verdict(0.01, null, false),
            new ScoreRecord.Model(1, 0),
            ScoreRecord.Truth.NONE,
            ScoreRecord.Timing.of(5, 6));
    assertThat(text(bare))
        .contains("\"threshold\":null")
        .doesNotContain("label")
        .doesNotContain("kind");
    assertThat(ScoreRecordCodec.decode(ScoreRecordCodec.encode(bare))).isEqualTo(bare);
    assertThat(violations(ScoreRecordCodec.encode(bare))).isEmpty();
  }

  @Test
  void theDriftContextIsWrittenAfterTheOriginalFieldsAndReadBack() {
    ScoreRecord adapting =
        new ScoreRecord(
            FULL.source(),
            FULL.verdict(),
            FULL.model(),
            FULL.truth(),
            FULL.timing(),
            new ScoreRecord.Drift(2, 640, true));
    assertThat(text(adapting))
        .as("the fields added for drift come last, so older bytes are a prefix")
        .isEqualTo(
            text(FULL).replace("}", "")
                + ",\"drift_events\":2,\"images_since_drift\":640,\"adapting\":true}");
    assertThat(violations(ScoreRecordCodec.encode(adapting))).isEmpty();
    assertThat(ScoreRecordCodec.decode(ScoreRecordCodec.encode(adapting))).isEqualTo(adapting);
    assertThat(adapting.adapting()).isTrue();
    assertThat(FULL.adapting()).as("no drift context: settled").isFalse();
    assertThat(text(FULL)).doesNotContain("drift").doesNotContain("adapting");
  }

  @Test
  void aPartialDriftContextIsNotAScoreRecord() {
    String partial = text(FULL).replace("}", ",\"drift_events\":2}");
    assertThat(violations(partial.getBytes(StandardCharsets.UTF_8))).isNotEmpty();
    assertThatThrownBy(() -> ScoreRecordCodec.decode(partial.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("images_since_drift");
  }

  @Test
  void latencyIsClampedAgainstClockSkew() {
    assertThat(ScoreRecord.Timing.of(10, 4).latencyMs()).isZero();
    assertThat(ScoreRecord.Timing.of(4, 10).latencyMs()).isEqualTo(6);
  }

  @Test
  void unknownFieldsAreIgnoredAsTheSchemaRequires() {
    String later = text(FULL).replace("{", "{\"new\":{\"nested\":[1,{\"a\":2}]},");
    assertThat(violations(later.getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ScoreRecordCodec.decode(later.getBytes(StandardCharsets.UTF_8))).isEqualTo(FULL);
  }

  @Test
  void whatTheSchemaRejectsTheCodecRejectsAndSaysWhy() {
    String missingScore = text(FULL).replace("\"score\":0.0425,", "");
    assertThat(violations(missingScore.getBytes(StandardCharsets.UTF_8)))
        .anyMatch(m -> m.contains("score"));
    assertThatThrownBy(() -> ScoreRecordCodec.decode(missingScore.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("score");

    String textualStep = text(FULL).replace("\"model_step\":1800", "\"model_step\":\"1800\"");
    assertThat(violations(textualStep.getBytes(StandardCharsets.UTF_8))).isNotEmpty();
    assertThatThrownBy(() -> ScoreRecordCodec.decode(textualStep.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("model_step");

    String noThreshold = text(FULL).replace("\"threshold\":0.031,", "");
    assertThat(violations(noThreshold.getBytes(StandardCharsets.UTF_8))).isNotEmpty();
    assertThat(ScoreRecordCodec.tryDecode(noThreshold.getBytes(StandardCharsets.UTF_8))).isEmpty();

    String hugePartition = text(FULL).replace("\"partition\":2", "\"partition\":4294967296");
    assertThat(ScoreRecordCodec.tryDecode(hugePartition.getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
    assertThat(ScoreRecordCodec.tryDecode("[1]".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ScoreRecordCodec.tryDecode("{".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ScoreRecordCodec.tryDecode(null)).isEmpty();
  }

  @Property(tries = 200)
  void everyRecordTheScorerCanWriteIsValidAndReadsBack(@ForAll("records") ScoreRecord r) {
    byte[] json = ScoreRecordCodec.encode(r);
    assertThat(violations(json)).as(new String(json, StandardCharsets.UTF_8)).isEmpty();
    assertThat(ScoreRecordCodec.decode(json)).isEqualTo(r);
  }

  @Property(tries = 1000)
  void theFastWriterWritesWhatJacksonsGeneratorWrites(@ForAll("anyRecords") ScoreRecord r) {
    assertThat(new String(ScoreRecordCodec.encode(r), StandardCharsets.UTF_8))
        .isEqualTo(new String(ScoreRecordCodec.encodeWithGenerator(r), StandardCharsets.UTF_8));
  }

  @Test
  void theFastWriterKnowsEveryFieldOfTheRecord() {
    // A new group in ScoreRecord switches the fast writer off (the output stays right, through the
    // generator) until FastScoreJson writes the new fields too and lists the group.
    assertThat(FastScoreJson.ENABLED)
        .as("FastScoreJson.KNOWN_GROUPS %s vs ScoreRecord", FastScoreJson.KNOWN_GROUPS)
        .isTrue();
  }

  @Test
  void recordsTheFastWriterCannotWriteStillGoThroughTheGenerator() {
    ScoreRecord odd =
        new ScoreRecord(
            new ScoreRecord.Source("tr\"ain:\u00e9:\n", -1, Long.MIN_VALUE),
            new ScoreRecord.Verdict(Double.NaN, Double.NEGATIVE_INFINITY, false),
            new ScoreRecord.Model(Long.MAX_VALUE, 0),
            new ScoreRecord.Truth(-3, "k\u0001"),
            new ScoreRecord.Timing(-1, 0, 1));
    assertThat(FastScoreJson.encode(odd)).isNull();
    assertThat(ScoreRecordCodec.encode(odd)).isEqualTo(ScoreRecordCodec.encodeWithGenerator(odd));
  }

  /** Wider than what the scorer writes: any string, number and sign the record type allows. */
  @Provide
  Arbitrary<ScoreRecord> anyRecords() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(20),
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30));
    Arbitrary<Double> number =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.of(
                0.0, -0.0, 1e-7, 1e7, 123456789.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN),
            Arbitraries.floats().map(f -> (double) f));
    Arbitrary<ScoreRecord.Source> source =
        Combinators.combine(text, Arbitraries.integers(), Arbitraries.longs())
            .as(ScoreRecord.Source::new);
    Arbitrary<ScoreRecord.Verdict> verdict =
        Combinators.combine(number, number.injectNull(0.2), Arbitraries.of(true, false))
            .as(ScoreRecord.Verdict::new);
    Arbitrary<ScoreRecord.Model> model =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(ScoreRecord.Model::new);
    Arbitrary<ScoreRecord.Truth> truth =
        Combinators.combine(Arbitraries.integers().injectNull(0.3), text.injectNull(0.5))
            .as(ScoreRecord.Truth::new);
    Arbitrary<ScoreRecord.Timing> timing =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs())
            .as(ScoreRecord.Timing::new);
    Arbitrary<ScoreRecord.Drift> drift =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(true, false))
            .as(ScoreRecord.Drift::new)
            .injectNull(0.3);
    return Combinators.combine(source, verdict, model, truth, timing, drift).as(ScoreRecord::new);
  }

  @Provide
  Arbitrary<ScoreRecord> records() {
    Arbitrary<ScoreRecord.Source> source =
        Combinators.combine(
                Arbitraries.of("train", "test")
                    .flatMap(
                        split ->
                            Arbitraries.integers()
                                .between(0, 59_999)
                                .map(i -> split + ":" + i + ":0")),
                Arbitraries.integers().between(0, 63),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 2))
            .as(ScoreRecord.Source::new);
    Arbitrary<ScoreRecord.Verdict> verdict =
        Combinators.combine(
                Arbitraries.doubles().between(0, 1),
                Arbitraries.doubles().between(0, 1).injectNull(0.2))
            .as(
                (score, threshold) ->
                    new ScoreRecord.Verdict(
                        score, threshold, threshold != null && score > threshold));
    Arbitrary<ScoreRecord.Model> model =
        Combinators.combine(
                Arbitraries.longs().between(1, 10_000_000),
                Arbitraries.longs().between(0, 1L << 40))
            .as(ScoreRecord.Model::new);
    Arbitrary<ScoreRecord.Truth> truth =
        Combinators.combine(
                Arbitraries.integers().between(0, 9).injectNull(0.3),
                Arbitraries.of("noise", "inverted", "rotated", "patch").injectNull(0.7))
            .as(ScoreRecord.Truth::new);
    Arbitrary<ScoreRecord.Timing> timing =
        Combinators.combine(
                Arbitraries.longs().between(1_600_000_000_000L, 1_900_000_000_000L),
                Arbitraries.longs().between(-5_000, 60_000))
            .as((produced, delay) -> ScoreRecord.Timing.of(produced, produced + delay));
    return Combinators.combine(source, verdict, model, truth, timing).as(ScoreRecord::new);
  }
}
