package dev.vaestream.scorer.stats;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The aggregate of one statistics window: counts, flags, and fixed log-spaced score histograms, one
 * for real digits and one for injected anomalies. Fixed size whatever the window's traffic, so the
 * state store and its changelog stay small.
 *
 * <p>Why histograms: quantiles and AUROC need the score distribution, and a histogram of {@value
 * #BINS} log-spaced bins over [{@value #LOW}, {@value #HIGH}) resolves every score to within about
 * 2.3% (half a bin), enough for monitoring. AUROC over the histograms counts anomalies and normals
 * in the same bin as ties (half), the Mann-Whitney convention.
 *
 * <p>Ground truth: a record with {@code anomaly_kind} is a positive of that kind; every other
 * record is a real digit, a negative. Mutable, not thread-safe: Streams owns one instance at a
 * time.
 */
public final class WindowStats {
  /** Histogram bins between {@link #LOW} and {@link #HIGH}, plus one below and one above. */
  public static final int BINS = 200;

  public static final double LOW = 1e-4;
  public static final double HIGH = 1.0;

  /** Most distinct anomaly kinds tracked per window; any further kind is counted as "other". */
  static final int MAX_KINDS = 32;

  static final String OTHER_KIND = "other";
  private static final double LOG_RANGE = Math.log(HIGH / LOW);

  /** Serde for the window store and its changelog (sparse, varint-encoded). */
  public static final Serde<WindowStats> SERDE = WindowStatsSerde.create();

  // Package-private for WindowStatsSerde, the wire format of exactly these fields.
  long count;
  long flagged;
  double sum;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  final long[] normalHist = new long[BINS + 2];
  final long[] anomalyHist = new long[BINS + 2];
  long normals;
  long normalsFlagged;
  // Scored by a model adapting to a detected drift: images, flags, flagged real digits.
  long adapting;
  long adaptingFlagged;
  long adaptingNormalsFlagged;
  final TreeMap<String, long[]> kinds = new TreeMap<>();

  /** Adds one scored image; returns this. */
  public WindowStats add(ScoreObservation o) {
    double s = o.score();
    count++;
    sum += s;
    min = Math.min(min, s);
    max = Math.max(max, s);
    if (o.anomaly()) {
      flagged++;
    }
    if (o.adapting()) {
      adapting++;
      if (o.anomaly()) {
        adaptingFlagged++;
        if (o.kind() == null) {
          adaptingNormalsFlagged++;
        }
      }
    }
    int bin = bin(s);
    if (o.kind() == null) {
      normals++;
      normalHist[bin]++;
      if (o.anomaly()) {
        normalsFlagged++;
      }
    } else {
      anomalyHist[bin]++;
      String kind = kinds.containsKey(o.kind()) || kinds.size() < MAX_KINDS ? o.kind() : OTHER_KIND;
      long[] k = kinds.computeIfAbsent(kind, x -> new long[2]);
      k[0]++;
      if (o.anomaly()) {
        k[1]++;
      }
    }
    return this;
  }

  /** Adds another aggregate of the same window (a partial from another partition); returns this. */
  public WindowStats merge(WindowStats other) {
    count += other.count;
    flagged += other.flagged;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    for (int b = 0; b < BINS + 2; b++) {
      normalHist[b] += other.normalHist[b];
      anomalyHist[b] += other.anomalyHist[b];
    }
    normals += other.normals;
    normalsFlagged += other.normalsFlagged;
    adapting += other.adapting;
    adaptingFlagged += other.adaptingFlagged;
    adaptingNormalsFlagged += other.adaptingNormalsFlagged;
    other.kinds.forEach(
        (kind, k) -> {
          String name = kinds.containsKey(kind) || kinds.size() < MAX_KINDS ? kind : OTHER_KIND;
          long[] mine = kinds.computeIfAbsent(name, x -> new long[2]);
          mine[0] += k[0];
          mine[1] += k[1];
        });
    return this;
  }

  static int bin(double score) {
    if (!(score >= LOW)) {
      return 0;
    }
    if (score >= HIGH) {
      return BINS + 1;
    }
    int b = 1 + (int) (Math.log(score / LOW) / LOG_RANGE * BINS);
    return Math.min(b, BINS);
  }

  /** Lower edge of bin {@code b} (1..BINS+1). */
  private static double edge(int b) {
    return LOW * Math.exp(LOG_RANGE * (b - 1) / BINS);
  }

  public long count() {
    return count;
  }

  public long flagged() {
    return flagged;
  }

  /** Images scored by a model adapting to a detected drift. */
  public long adaptingCount() {
    return adapting;
  }

  /** Images flagged by a model adapting to a detected drift. */
  public long adaptingFlagged() {
    return adaptingFlagged;
  }

  /** Of the images scored while adapting, the fraction flagged; NaN when there were none. */
  public double adaptingAnomalyRate() {
    return ratio(adaptingFlagged, adapting);
  }

  /** Images scored by a settled model (or one without drift context). */
  public long settledCount() {
    return count - adapting;
  }

  /** Images flagged by a settled model. */
  public long settledFlagged() {
    return flagged - adaptingFlagged;
  }

  /** Of the images scored by a settled model, the fraction flagged; NaN when there were none. */
  public double settledAnomalyRate() {
    return ratio(settledFlagged(), settledCount());
  }

  /** Real digits flagged while the model was adapting (of {@link #falsePositives()}). */
  public long adaptingFalsePositives() {
    return adaptingNormalsFlagged;
  }

  /** Fraction of images flagged; NaN for an empty window. */
  public double anomalyRate() {
    return count == 0 ? Double.NaN : (double) flagged / count;
  }

  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public double min() {
    return count == 0 ? Double.NaN : min;
  }

  public double max() {
    return count == 0 ? Double.NaN : max;
  }

  /**
   * The {@code q} quantile of all scores, from the histogram: linear rank interpolation as in
   * {@link dev.vaestream.core.stats.Quantiles}, geometric within a bin, clamped to the exact min
   * and max. NaN when empty.
   */
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    double rank = q * (count - 1);
    if (rank <= 0) {
      return min;
    }
    if (rank >= count - 1) {
      return max;
    }
    long below = 0;
    for (int b = 0; b < BINS + 2; b++) {
      long n = normalHist[b] + anomalyHist[b];
      if (n == 0) {
        continue;
      }
      if (rank < below + n) {
        double lo = b == 0 ? min : Math.max(min, edge(b));
        double hi = b == BINS + 1 ? max : Math.min(max, edge(b + 1));
        double frac = n == 1 ? 0.5 : (rank - below) / (n - 1);
        double value = lo > 0 && hi > lo ? lo * Math.pow(hi / lo, frac) : lo + (hi - lo) * frac;
        return Math.max(min, Math.min(max, value));
      }
      below += n;
    }
    return max;
  }

  /** Whether the window holds any injected anomaly, i.e. ground truth to evaluate against. */
  public boolean hasGroundTruth() {
    return positives() > 0;
  }

  /** Injected anomalies in the window. */
  public long positives() {
    long p = 0;
    for (long[] k : kinds.values()) {
      p += k[0];
    }
    return p;
  }

  /** Real digits in the window. */
  public long negatives() {
    return normals;
  }

  /** Flagged injected anomalies. */
  public long truePositives() {
    long tp = 0;
    for (long[] k : kinds.values()) {
      tp += k[1];
    }
    return tp;
  }

  /** Flagged real digits. */
  public long falsePositives() {
    return normalsFlagged;
  }

  /** Of the flagged images, the fraction that were injected anomalies; NaN without flags. */
  public double precision() {
    return ratio(truePositives(), truePositives() + normalsFlagged);
  }

  /** Of the injected anomalies, the fraction flagged; NaN without anomalies. */
  public double recall() {
    return ratio(truePositives(), positives());
  }

  /** Of the real digits, the fraction flagged; NaN without real digits. */
  public double falsePositiveRate() {
    return ratio(normalsFlagged, normals);
  }

  /** Injected anomalies of {@code kind} and how many were flagged: {@code {count, flagged}}. */
  public Map<String, long[]> kinds() {
    Map<String, long[]> copy = new TreeMap<>();
    kinds.forEach((k, v) -> copy.put(k, v.clone()));
    return Collections.unmodifiableMap(copy);
  }

  /** Fraction of {@code kind}'s anomalies flagged; NaN when the window has none. */
  public double recall(String kind) {
    long[] k = kinds.get(kind);
    return k == null ? Double.NaN : ratio(k[1], k[0]);
  }

  /**
   * Precision of the flag on {@code kind} against the real digits: flagged anomalies of that kind
   * over those plus flagged real digits. Other kinds count neither way, so each kind's value is
   * what the precision would be if only that kind were injected. NaN when nothing of either was
   * flagged.
   */
  public double precision(String kind) {
    long[] k = kinds.get(kind);
    return k == null ? Double.NaN : ratio(k[1], k[1] + normalsFlagged);
  }

  /**
   * AUROC of the score separating injected anomalies from real digits, from the histograms (same
   * bin counts as a tie). NaN unless the window has both.
   */
  public double auroc() {
    long positives = 0;
    for (long n : anomalyHist) {
      positives += n;
    }
    if (positives == 0 || normals == 0) {
      return Double.NaN;
    }
    double wins = 0;
    long normalsBelow = 0;
    for (int b = 0; b < BINS + 2; b++) {
      wins += anomalyHist[b] * (normalsBelow + normalHist[b] / 2.0);
      normalsBelow += normalHist[b];
    }
    return wins / ((double) positives * normals);
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
