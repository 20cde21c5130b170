package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScoreRecordTest {
  private static final ScoreRecord FULL =
      new ScoreRecord(
          "test:17:0",
          2,
          1234,
          0.0425,
          0.031,
          true,
          1800,
          5230,
          7,
          "noise",
          1_700_000_000_000L,
          1_700_000_000_012L,
          12);

  @Test
  void fieldsInTheDocumentedOrder() {
    String json = new String(FULL.toJson(), StandardCharsets.UTF_8);
    assertThat(json)
        .isEqualTo(
            "{\"schema_version\":1,\"image_id\":\"test:17:0\",\"partition\":2,\"offset\":1234,"
                + "\"score\":0.0425,\"threshold\":0.031,\"anomaly\":true,\"model_step\":1800,"
                + "\"model_age_ms\":5230,\"label\":7,\"anomaly_kind\":\"noise\","
                + "\"produced_at\":1700000000000,\"scored_at\":1700000000012,\"latency_ms\":12}");
  }

  @Test
  void optionalFieldsAreOmittedAndThresholdMayBeNull() {
    ScoreRecord bare =
        new ScoreRecord("train:1:0", 0, 0, 0.01, null, false, 1, 0, null, null, 5, 6, 1);
    String json = new String(bare.toJson(), StandardCharsets.UTF_8);
    assertThat(json).contains("\"threshold\":null").doesNotContain("label").doesNotContain("kind");
    assertThat(ScoreRecord.fromJson(bare.toJson())).isEqualTo(bare);
    assertThat(ScoreSchema.violations(bare.toJson())).isEmpty();
  }

  @Test
  void roundTripsAndMatchesTheShippedSchema() {
    assertThat(ScoreRecord.fromJson(FULL.toJson())).isEqualTo(FULL);
    assertThat(ScoreSchema.violations(FULL.toJson())).isEmpty();
  }

  @Test
  void schemaRejectsWhatTheContractForbids() {
    String missingScore =
        "{\"schema_version\":1,\"image_id\":\"a\",\"partition\":0,\"offset\":0,\"threshold\":null,"
            + "\"anomaly\":false,\"model_step\":1,\"model_age_ms\":0,\"produced_at\":1,"
            + "\"scored_at\":2,\"latency_ms\":1}";
    assertThat(ScoreSchema.violations(missingScore.getBytes(StandardCharsets.UTF_8)))
        .anyMatch(m -> m.contains("score"));
    String badLabel =
        new String(FULL.toJson(), StandardCharsets.UTF_8).replace("\"label\":7", "\"label\":12");
    assertThat(ScoreSchema.violations(badLabel.getBytes(StandardCharsets.UTF_8))).isNotEmpty();
    String extraField =
        new String(FULL.toJson(), StandardCharsets.UTF_8).replace("{", "{\"new\":1,");
    assertThat(ScoreSchema.violations(extraField.getBytes(StandardCharsets.UTF_8)))
        .as("fields are only added: consumers must accept unknown ones")
        .isEmpty();
  }
}
