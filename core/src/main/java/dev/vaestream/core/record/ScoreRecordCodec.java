package dev.vaestream.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The JSON of {@link ScoreRecord}, the value format of {@code anomaly.scores}: the one place that
 * names its fields. The contract is {@value #SCHEMA_RESOURCE} on the class path (draft 2020-12);
 * fields are only added, never renamed or removed, so the decoder ignores fields it does not know.
 *
 * <p>Both directions use Jackson's streaming API (no data binding, no polymorphism): the scorer
 * encodes once per image, and readers (the demo's tally, the fault campaign's audit, users' code)
 * decode every score.
 */
public final class ScoreRecordCodec {
  /** Version of the value format; bumped only for incompatible changes (none so far). */
  public static final int SCHEMA_VERSION = 1;

  /** Class-path location of the JSON Schema that is the contract. */
  public static final String SCHEMA_RESOURCE = "/schema/anomaly-score.schema.json";

  // The field names, in the order they are written.
  public static final String F_SCHEMA_VERSION = "schema_version";
  public static final String F_IMAGE_ID = "image_id";
  public static final String F_PARTITION = "partition";
  public static final String F_OFFSET = "offset";
  public static final String F_SCORE = "score";
  public static final String F_THRESHOLD = "threshold";
  public static final String F_ANOMALY = "anomaly";
  public static final String F_MODEL_STEP = "model_step";
  public static final String F_MODEL_AGE_MS = "model_age_ms";
  public static final String F_LABEL = "label";
  public static final String F_ANOMALY_KIND = "anomaly_kind";
  public static final String F_PRODUCED_AT = "produced_at";
  public static final String F_SCORED_AT = "scored_at";
  public static final String F_LATENCY_MS = "latency_ms";
  public static final String F_DRIFT_EVENTS = "drift_events";
  public static final String F_IMAGES_SINCE_DRIFT = "images_since_drift";
  public static final String F_ADAPTING = "adapting";

  // FastDoubleParser (bundled with jackson-core): the same correctly rounded doubles as
  // Double.parseDouble, at a fraction of the cost; readers of the whole topic decode every score.
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private ScoreRecordCodec() {}

  /**
   * The JSON value, UTF-8, fields in the documented order; absent optionals are omitted.
   *
   * <p>The scorer calls this once per image, so the common case (ASCII strings that need no
   * escaping, finite numbers) is written straight into a byte array with the field names
   * pre-encoded: byte for byte what {@link #encodeWithGenerator Jackson's generator} writes, at a
   * fraction of the cost (creating a generator per record was 16% of the scoring thread). Anything
   * else goes through the generator.
   */
  public static byte[] encode(ScoreRecord r) {
    byte[] fast = FastScoreJson.encode(r);
    return fast != null ? fast : encodeWithGenerator(r);
  }

  /** {@link #encode} through Jackson's streaming generator: the reference for the fast path. */
  static byte[] encodeWithGenerator(ScoreRecord r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(320);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField(F_SCHEMA_VERSION, SCHEMA_VERSION);
      g.writeStringField(F_IMAGE_ID, r.imageId());
      g.writeNumberField(F_PARTITION, r.partition());
      g.writeNumberField(F_OFFSET, r.offset());
      g.writeNumberField(F_SCORE, r.score());
      if (r.threshold() == null) {
        g.writeNullField(F_THRESHOLD);
      } else {
        g.writeNumberField(F_THRESHOLD, r.threshold());
      }
      g.writeBooleanField(F_ANOMALY, r.anomaly());
      g.writeNumberField(F_MODEL_STEP, r.modelStep());
      g.writeNumberField(F_MODEL_AGE_MS, r.modelAgeMs());
      if (r.label() != null) {
        g.writeNumberField(F_LABEL, r.label());
      }
      if (r.anomalyKind() != null) {
        g.writeStringField(F_ANOMALY_KIND, r.anomalyKind());
      }
      g.writeNumberField(F_PRODUCED_AT, r.producedAt());
      g.writeNumberField(F_SCORED_AT, r.scoredAt());
      g.writeNumberField(F_LATENCY_MS, r.latencyMs());
      if (r.drift() != null) {
        g.writeNumberField(F_DRIFT_EVENTS, r.drift().events());
        g.writeNumberField(F_IMAGES_SINCE_DRIFT, r.drift().imagesSince());
        g.writeBooleanField(F_ADAPTING, r.drift().adapting());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise score of " + r.imageId(), e);
    }
    return out.toByteArray();
  }

  /**
   * Parses a score record. Unknown fields are ignored (the format only ever adds fields); the
   * required fields of the schema must be there with their JSON types, and {@code score} must be
   * finite.
   *
   * @throws IllegalArgumentException naming what is wrong, when {@code json} is not a score record
   */
  public static ScoreRecord decode(byte[] json) {
    if (json == null) {
      throw new IllegalArgumentException("not a score record: null value");
    }
    Fields f = new Fields();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a score record: not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        f.read(field, p);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not a score record: not JSON (" + e.getMessage() + ")", e);
    }
    return f.toRecord();
  }

  /** {@link #decode(byte[])}, or empty when {@code json} is not a score record. */
  public static Optional<ScoreRecord> tryDecode(byte[] json) {
    try {
      return Optional.of(decode(json));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The fields as they are read, checked at the end. */
  private static final class Fields {
    private String imageId;
    private Long partition;
    private Long offset;
    private Double score;
    private Double threshold;
    private boolean thresholdSeen;
    private Boolean anomaly;
    private Long modelStep;
    private Long modelAgeMs;
    private Long label;
    private String anomalyKind;
    private Long producedAt;
    private Long scoredAt;
    private Long latencyMs;
    private Long driftEvents;
    private Long imagesSinceDrift;
    private Boolean adapting;

    void read(String field, JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      switch (field) {
        case F_IMAGE_ID -> imageId = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case F_PARTITION -> partition = integer(p);
        case F_OFFSET -> offset = integer(p);
        case F_SCORE -> score = t.isNumeric() ? p.getDoubleValue() : null;
        case F_THRESHOLD -> {
          thresholdSeen = t == JsonToken.VALUE_NULL || t.isNumeric();
          threshold = t.isNumeric() ? p.getDoubleValue() : null;
        }
        case F_ANOMALY -> anomaly = t.isBoolean() ? t == JsonToken.VALUE_TRUE : null;
        case F_MODEL_STEP -> modelStep = integer(p);
        case F_MODEL_AGE_MS -> modelAgeMs = integer(p);
        case F_LABEL -> label = integer(p);
        case F_ANOMALY_KIND -> anomalyKind = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case F_PRODUCED_AT -> producedAt = integer(p);
        case F_SCORED_AT -> scoredAt = integer(p);
        case F_LATENCY_MS -> latencyMs = integer(p);
        case F_DRIFT_EVENTS -> driftEvents = integer(p);
        case F_IMAGES_SINCE_DRIFT -> imagesSinceDrift = integer(p);
        case F_ADAPTING -> adapting = t.isBoolean() ? t == JsonToken.VALUE_TRUE : null;
        default -> p.skipChildren();
      }
    }

    private static Long integer(JsonParser p) throws IOException {
      return p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
    }

    ScoreRecord toRecord() {
      require(imageId, F_IMAGE_ID);
      require(partition, F_PARTITION);
      require(offset, F_OFFSET);
      require(score, F_SCORE);
      if (!Double.isFinite(score)) {
        throw new IllegalArgumentException("not a score record: score is " + score);
      }
      if (!thresholdSeen) {
        throw new IllegalArgumentException("not a score record: no number or null " + F_THRESHOLD);
      }
      require(anomaly, F_ANOMALY);
      require(modelStep, F_MODEL_STEP);
      require(modelAgeMs, F_MODEL_AGE_MS);
      requireInt(partition, F_PARTITION);
      if (label != null) {
        requireInt(label, F_LABEL);
      }
      require(producedAt, F_PRODUCED_AT);
      require(scoredAt, F_SCORED_AT);
      require(latencyMs, F_LATENCY_MS);
      // The drift context is all or nothing: a record with part of it is not one the scorer wrote.
      ScoreRecord.Drift drift = null;
      if (driftEvents != null || imagesSinceDrift != null || adapting != null) {
        require(driftEvents, F_DRIFT_EVENTS);
        require(imagesSinceDrift, F_IMAGES_SINCE_DRIFT);
        require(adapting, F_ADAPTING);
        drift = new ScoreRecord.Drift(driftEvents, imagesSinceDrift, adapting);
      }
      return new ScoreRecord(
          new ScoreRecord.Source(imageId, partition.intValue(), offset),
          new ScoreRecord.Verdict(score, threshold, anomaly),
          new ScoreRecord.Model(modelStep, modelAgeMs),
          new ScoreRecord.Truth(label == null ? null : label.intValue(), anomalyKind),
          new ScoreRecord.Timing(producedAt, scoredAt, latencyMs),
          drift);
    }

    private static void requireInt(long value, String field) {
      if (value != (int) value) {
        throw new IllegalArgumentException("not a score record: " + field + " out of range");
      }
    }

    private static void require(Object value, String field) {
      if (value == null) {
        throw new IllegalArgumentException(
            "not a score record: no " + field + " of the schema's type");
      }
    }
  }
}
