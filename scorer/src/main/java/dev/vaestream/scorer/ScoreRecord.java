package dev.vaestream.scorer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One value on {@code anomaly.scores}: the score of one image and everything needed to explain it.
 * Serialized as JSON with a fixed field order; the contract is {@code
 * schema/anomaly-score.schema.json} (fields are only ever added, never renamed or removed).
 *
 * @param imageId the input record's key
 * @param partition source partition on the input topic
 * @param offset source offset on the input topic
 * @param score per-pixel MSE of the reconstruction at the posterior mean
 * @param threshold the model's threshold, or null when it has none
 * @param anomaly {@code score > threshold}; false without a threshold
 * @param modelStep training step of the model that scored
 * @param modelAgeMs age of that model's checkpoint when scoring
 * @param label the digit the input carried, or null
 * @param anomalyKind the injected anomaly kind the input carried, or null
 * @param producedAt when the image was produced, epoch ms
 * @param scoredAt when it was scored, epoch ms
 * @param latencyMs {@code scoredAt - producedAt}, clamped at 0 against clock skew
 */
public record ScoreRecord(
    String imageId,
    int partition,
    long offset,
    double score,
    Double threshold,
    boolean anomaly,
    long modelStep,
    long modelAgeMs,
    Integer label,
    String anomalyKind,
    long producedAt,
    long scoredAt,
    long latencyMs) {

  /** Version of the value format; bumped only for incompatible changes (none so far). */
  public static final int SCHEMA_VERSION = 1;

  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

  /** The JSON value, UTF-8, fields in the documented order; absent optionals are omitted. */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(320);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("schema_version", SCHEMA_VERSION);
      g.writeStringField("image_id", imageId);
      g.writeNumberField("partition", partition);
      g.writeNumberField("offset", offset);
      g.writeNumberField("score", score);
      if (threshold == null) {
        g.writeNullField("threshold");
      } else {
        g.writeNumberField("threshold", threshold);
      }
      g.writeBooleanField("anomaly", anomaly);
      g.writeNumberField("model_step", modelStep);
      g.writeNumberField("model_age_ms", modelAgeMs);
      if (label != null) {
        g.writeNumberField("label", label);
      }
      if (anomalyKind != null) {
        g.writeStringField("anomaly_kind", anomalyKind);
      }
      g.writeNumberField("produced_at", producedAt);
      g.writeNumberField("scored_at", scoredAt);
      g.writeNumberField("latency_ms", latencyMs);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise score of " + imageId, e);
    }
    return out.toByteArray();
  }

  /** Parses a value written by {@link #toJson()} (tests and tools; unknown fields are ignored). */
  public static ScoreRecord fromJson(byte[] json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      JsonNode threshold = n.path("threshold");
      JsonNode label = n.get("label");
      JsonNode kind = n.get("anomaly_kind");
      return new ScoreRecord(
          n.path("image_id").asText(),
          n.path("partition").asInt(),
          n.path("offset").asLong(),
          n.path("score").asDouble(),
          threshold.isNumber() ? threshold.asDouble() : null,
          n.path("anomaly").asBoolean(),
          n.path("model_step").asLong(),
          n.path("model_age_ms").asLong(),
          label == null || label.isNull() ? null : label.asInt(),
          kind == null || kind.isNull() ? null : kind.asText(),
          n.path("produced_at").asLong(),
          n.path("scored_at").asLong(),
          n.path("latency_ms").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException("not a score record", e);
    }
  }
}
