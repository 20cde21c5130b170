package dev.vaestream.scorer.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/**
 * The part of a score record the statistics need: the score, the flag, and the injected anomaly
 * kind (null for a real digit). Parsed with Jackson's streaming parser, skipping everything else,
 * because it runs once per score.
 *
 * @param score the anomaly score
 * @param anomaly whether the scorer flagged it
 * @param kind the injected anomaly kind's wire name, or null for a real digit
 */
public record ScoreObservation(double score, boolean anomaly, String kind) {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Reads the fields of a score record's JSON value; empty when the value is not a score record (no
   * numeric {@code score}), so one bad record cannot stop the statistics.
   */
  public static Optional<ScoreObservation> parse(byte[] json) {
    if (json == null) {
      return Optional.empty();
    }
    Double score = null;
    boolean anomaly = false;
    String kind = null;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "score" -> score = value.isNumeric() ? p.getDoubleValue() : null;
          case "anomaly" -> anomaly = value == JsonToken.VALUE_TRUE;
          case "anomaly_kind" -> kind = value == JsonToken.VALUE_STRING ? p.getText() : null;
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    if (score == null || !Double.isFinite(score)) {
      return Optional.empty();
    }
    return Optional.of(new ScoreObservation(score, anomaly, kind));
  }
}
