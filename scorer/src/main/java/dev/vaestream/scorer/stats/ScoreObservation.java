package dev.vaestream.scorer.stats;

import dev.vaestream.core.record.ScoreRecord;

/**
 * The part of a score record the statistics need: the score, the flag, the injected anomaly kind
 * (null for a real digit) and whether the model was adapting to a drift.
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

  /** The observation of one score record. */
  public static ScoreObservation of(ScoreRecord r) {
    return new ScoreObservation(r.score(), r.anomaly(), r.anomalyKind(), r.adapting());
  }
}
