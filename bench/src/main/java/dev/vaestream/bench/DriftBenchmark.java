package dev.vaestream.bench;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.scenario.Scenario;
import dev.vaestream.core.scenario.ScenarioImages;
import dev.vaestream.trainer.GuardSettings;
import dev.vaestream.trainer.StreamLearner;
import dev.vaestream.trainer.drift.DriftSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code drift}: the online learner (no Kafka, the trainer's own test-then-train, guard and drift
 * code) on the built-in scenarios with 1% injected anomalies, three arms on the same stream: drift
 * handling on, off (the trainer before drift handling), and frozen (no learning after the change).
 * The arms share the stream up to the change: it is learned once, with the detector running, and
 * each arm continues from that state (a detection before the change is a false alarm and is
 * reported as such).
 *
 * <p>Flags as a scorer would raise them: a score above the 0.99 quantile of the learner's recent
 * scores, refreshed every {@value #SCORER_REFRESH} images (a scorer following checkpoints) and at
 * each detection (the trainer publishes a checkpoint at once); frozen keeps the pre-change one.
 */
final class DriftBenchmark {
  static final List<String> SCENARIOS =
      List.of("class-incremental", "rotation", "gradual-thickness");
  static final double ANOMALY_RATE = 0.01;
  static final int SCORER_REFRESH = 4_000;
  static final int BLOCK = 1_000;
  static final double STORM_RATE = 0.05;

  private DriftBenchmark() {}

  static void run(BenchContext ctx) {
    long phase = ctx.settings.driftPhaseImages();
    for (String name : ctx.settings.driftScenarios()) {
      Scenario scenario = Scenario.builtIns(phase).get(name);
      ctx.emit(scenario(ctx.train(), scenario, ctx.settings.driftSeed()));
    }
  }

  /** Per-image outcome of one arm after the change. */
  private static final class Trace {
    final int n;
    final float[] loss;
    final boolean[] flagged;
    final boolean[] learned;
    final List<Long> detections = new ArrayList<>();
    final List<String> signals = new ArrayList<>();

    Trace(int n) {
      this.n = n;
      loss = new float[n];
      flagged = new boolean[n];
      learned = new boolean[n];
    }
  }

  static Map<String, Object> scenario(MnistDataset data, Scenario scenario, long seed) {
    long t0 = System.nanoTime();
    ScenarioImages images =
        new ScenarioImages(data, scenario, seed, ANOMALY_RATE, List.of(AnomalyKind.values()));
    int change = (int) scenario.phaseStart(1);
    int total = (int) scenario.totalImages();
    long ramp = scenario.phases().get(1).mixOver();
    int changeEnd = (int) (change + ramp);
    GuardSettings guard = GuardSettings.defaults(); // the trainer's flags' defaults
    DriftSettings on = DriftSettings.defaults();
    boolean[] anomaly = new boolean[total];
    String[] kinds = new String[total];
    for (int p = 0; p < total; p++) {
      anomaly[p] = images.at(p).anomaly() != null;
      kinds[p] = anomaly[p] ? images.at(p).anomaly().name().toLowerCase(Locale.ROOT) : null;
    }

    Trace prefix = new Trace(change);
    Checkpoint atChange;
    double frozenThreshold;
    try (StreamLearner learner = StreamLearner.create(seed, guard, on)) {
      frozenThreshold = runArm(learner, images, 0, change, prefix, false, Double.NaN);
      atChange = learner.snapshot();
    }
    Map<String, Trace> arms = new LinkedHashMap<>();
    String[] names = {"on", "off", "frozen"};
    for (String arm : names) {
      Trace t = new Trace(total);
      System.arraycopy(prefix.loss, 0, t.loss, 0, change);
      System.arraycopy(prefix.flagged, 0, t.flagged, 0, change);
      System.arraycopy(prefix.learned, 0, t.learned, 0, change);
      t.detections.addAll(prefix.detections);
      t.signals.addAll(prefix.signals);
      DriftSettings drift = arm.equals("on") ? on : DriftSettings.off();
      try (StreamLearner learner = StreamLearner.restore(atChange, guard, drift)) {
        runArm(learner, images, change, total, t, arm.equals("frozen"), frozenThreshold);
      }
      arms.put(arm, t);
      System.err.printf(Locale.ROOT, "bench: drift %s arm %s done%n", scenario.name(), arm);
    }

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("name", "drift");
    line.put("scenario", scenario.name());
    line.put("seed", seed);
    line.put("images", total);
    line.put("change_at", change);
    line.put("ramp_images", ramp);
    line.put("anomaly_rate", ANOMALY_RATE);
    Map<String, Object> armFigures = new LinkedHashMap<>();
    arms.forEach(
        (arm, t) -> {
          Map<String, Object> f = figures(t, anomaly, change, changeEnd, total, arm);
          f.put("anomalies_learned_by_kind", learnedByKind(t, kinds));
          armFigures.put(arm, f);
        });
    line.put("arms", armFigures);
    Map<String, Object> targets = new LinkedHashMap<>();
    long delayTarget = ramp > 0 ? ramp : 1_000;
    targets.put("detection_delay_images", "<= " + delayTarget);
    targets.put("false_alarms", 0);
    targets.put("recovery_images", "on <= off / 2");
    targets.put("storm_images", "on <= off / 2");
    targets.put("anomalies_learned_share", "<= 0.05 (every arm: the guard is on in all three)");
    line.put("targets", targets);
    @SuppressWarnings("unchecked")
    Map<String, Object> fOn = (Map<String, Object>) armFigures.get("on");
    @SuppressWarnings("unchecked")
    Map<String, Object> fOff = (Map<String, Object>) armFigures.get("off");
    Object delay = fOn.get("detection_delay_images");
    boolean meets =
        delay instanceof Number d
            && d.longValue() <= delayTarget
            && ((Number) fOn.get("false_alarms")).longValue() == 0
            && halfOrLess(fOn.get("recovery_images"), fOff.get("recovery_images"))
            && halfOrLess(fOn.get("storm_images"), fOff.get("storm_images"))
            && armFigures.values().stream()
                .allMatch(
                    f ->
                        ((Number) ((Map<?, ?>) f).get("anomalies_learned_share")).doubleValue()
                            <= 0.05);
    line.put("meets_target", meets);
    line.put("seconds", Figures.round((System.nanoTime() - t0) / 1e9, 1));
    return line;
  }

  private static boolean halfOrLess(Object on, Object off) {
    if (!(on instanceof Number a)) {
      return false;
    }
    if (!(off instanceof Number b)) {
      return true; // off never recovered within the run
    }
    return a.doubleValue() <= b.doubleValue() / 2;
  }

  /** Runs images [from, to); returns the flag threshold in force at the end. */
  private static double runArm(
      StreamLearner learner,
      ScenarioImages images,
      int from,
      int to,
      Trace t,
      boolean frozen,
      double flagThreshold) {
    float[] batch = new float[StreamLearner.GROUP * MnistDataset.PIXELS];
    double threshold = flagThreshold;
    for (int start = from; start + StreamLearner.GROUP <= to; start += StreamLearner.GROUP) {
      for (int i = 0; i < StreamLearner.GROUP; i++) {
        byte[] px = images.at(start + i).pixels();
        for (int k = 0; k < px.length; k++) {
          batch[i * MnistDataset.PIXELS + k] = (px[k] & 0xff) / 255f;
        }
      }
      StreamLearner.Group g = frozen ? learner.score(batch) : learner.learn(batch);
      for (int i = 0; i < StreamLearner.GROUP; i++) {
        int p = start + i;
        t.loss[p] = (float) g.meanLoss();
        t.flagged[p] = Double.isFinite(threshold) && g.scores()[i] > threshold;
        t.learned[p] = g.learned()[i];
      }
      if (g.detected()) {
        t.detections.add((long) start + StreamLearner.GROUP);
        t.signals.add(g.detection().signal().wireName());
      }
      boolean refresh = (start / StreamLearner.GROUP) % (SCORER_REFRESH / StreamLearner.GROUP) == 0;
      if (!frozen && (refresh || g.detected())) {
        double q = learner.calibrated(0.99);
        if (Double.isFinite(q)) {
          threshold = q;
        }
      }
    }
    return threshold;
  }

  private static Map<String, Object> figures(
      Trace t, boolean[] anomaly, int change, int changeEnd, int total, String arm) {
    Map<String, Object> f = new LinkedHashMap<>();
    Long firstAfter = null;
    String signal = null;
    for (int i = 0; i < t.detections.size(); i++) {
      if (t.detections.get(i) >= change) {
        firstAfter = t.detections.get(i);
        signal = t.signals.get(i);
        break;
      }
    }
    f.put("detections", t.detections.size());
    f.put("detection_delay_images", firstAfter == null ? null : firstAfter - change);
    f.put("detection_signal", signal);
    // The settled level: mean prequential loss over the last 10% of the run.
    int tail = Math.max(BLOCK, (total - change) / 10);
    double settled = mean(t.loss, total - tail, total);
    Integer recovery = null;
    for (int p = Math.max(change, changeEnd - BLOCK); p + BLOCK <= total; p += 32) {
      double m = mean(t.loss, p, p + BLOCK);
      if (Math.abs(m - settled) <= 0.1 * settled) {
        recovery = p + BLOCK - change;
        break;
      }
    }
    f.put("settled_loss", Figures.round(settled, 2));
    f.put("loss_before_change", Figures.round(mean(t.loss, change - BLOCK * 5, change), 2));
    f.put("recovery_images", recovery);
    int storm = 0;
    for (int b = change; b + BLOCK <= total; b += BLOCK) {
      int real = 0;
      int flagged = 0;
      for (int p = b; p < b + BLOCK; p++) {
        if (!anomaly[p]) {
          real++;
          flagged += t.flagged[p] ? 1 : 0;
        }
      }
      if (real > 0 && flagged > STORM_RATE * real) {
        storm += BLOCK;
      }
    }
    f.put("storm_images", storm);
    int anomalies = 0;
    int learnedAnomalies = 0;
    for (int p = 0; p < total; p++) {
      if (anomaly[p]) {
        anomalies++;
        learnedAnomalies += t.learned[p] ? 1 : 0;
      }
    }
    f.put(
        "anomalies_learned_share",
        Figures.round(anomalies == 0 ? 0 : learnedAnomalies / (double) anomalies, 4));
    // Stationary: before the change (after the guard's warm-up), and after recovery.
    long stationary = change;
    long falseAlarms = t.detections.stream().filter(d -> d < change).count();
    if (recovery != null) {
      int settledFrom = change + recovery;
      stationary += total - settledFrom;
      falseAlarms += t.detections.stream().filter(d -> d >= settledFrom).count();
    }
    f.put("stationary_images", stationary);
    f.put("false_alarms", falseAlarms);
    int warm = Math.min(change / 2, 10_000); // after the guard's and the model's warm-up
    f.put("before", precisionRecall(t, anomaly, warm, change));
    int afterFrom = Math.max(changeEnd, change + (total - change) / 2);
    f.put("after", precisionRecall(t, anomaly, afterFrom, total));
    return f;
  }

  /** Per anomaly kind, the share of its injected images the arm learned from. */
  private static Map<String, Object> learnedByKind(Trace t, String[] kinds) {
    Map<String, int[]> counts = new java.util.TreeMap<>();
    for (int p = 0; p < kinds.length; p++) {
      if (kinds[p] != null) {
        int[] c = counts.computeIfAbsent(kinds[p], k -> new int[2]);
        c[0]++;
        c[1] += t.learned[p] ? 1 : 0;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    counts.forEach((k, c) -> m.put(k, Figures.round(c[1] / (double) c[0], 3)));
    return m;
  }

  private static Map<String, Object> precisionRecall(Trace t, boolean[] anomaly, int from, int to) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int p = from; p < to; p++) {
      if (t.flagged[p] && anomaly[p]) {
        tp++;
      } else if (t.flagged[p]) {
        fp++;
      } else if (anomaly[p]) {
        fn++;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", to - from);
    m.put("precision", tp + fp == 0 ? null : Figures.round(tp / (double) (tp + fp), 3));
    m.put("recall", tp + fn == 0 ? null : Figures.round(tp / (double) (tp + fn), 3));
    return m;
  }

  private static double mean(float[] v, int from, int to) {
    double s = 0;
    int n = 0;
    for (int i = Math.max(0, from); i < to; i++) {
      s += v[i];
      n++;
    }
    return n == 0 ? Double.NaN : s / n;
  }
}
