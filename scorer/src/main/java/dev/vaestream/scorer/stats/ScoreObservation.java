package dev.vaestream.scorer.stats;

import dev.vaestream.core.record.ScoreRecordCodec;
import java.util.Optional;

/**
 * The part of a score record the statistics need: the score, the flag, the injected anomaly kind
 * (null for a real digit) and whether the model was adapting to a drift, read with the one
 * score-record codec.
 *
 * @param score the anomaly score
 * @param anomaly whether the scorer flagged it
 * @param kind the injected anomaly kind's wire name, or null for a real digit
 * @param adapting whether the scoring model was adapting to a detected drift (false when the record
 *     carries no drift context)
 */
public record ScoreObservation(double score, boolean anomaly, String kind, boolean adapting) {

  /** An observation by a settled model (or one without drift context). */
  public ScoreObservation(double score, boolean anomaly, String kind) {
    this(score, anomaly, kind, false);
  }

  /**
   * Reads a score record's JSON value; empty when the value is not a score record ({@link
   * ScoreRecordCodec#tryDecode}), so one bad record cannot stop the statistics.
   */
  public static Optional<ScoreObservation> parse(byte[] json) {
    return ScoreRecordCodec.tryDecode(json)
        .map(r -> new ScoreObservation(r.score(), r.anomaly(), r.anomalyKind(), r.adapting()));
  }
}
