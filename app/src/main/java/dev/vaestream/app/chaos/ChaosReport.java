package dev.vaestream.app.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a campaign did and found. {@link #toJson()} is the report's last line, whose first fields
 * are a contract for other tools; {@link #failures()} lists every check that did not hold.
 */
record ChaosReport(
    long images,
    long scored,
    long lost,
    long duplicates,
    int trainerKills,
    int scorerKills,
    int brokerRestarts,
    int hostileInputs,
    int hostileInDlq,
    boolean modelIdentical,
    Map<String, Integer> hostileInputKinds,
    int hostileCheckpoints,
    long scoresFromRejectedCheckpoints,
    long unknownScores,
    int dlqDuplicates,
    List<String> unexpectedExits,
    Map<String, Integer> stopExitCodes,
    Map<String, Long> peakHeapMb,
    long heapLimitMb,
    Map<String, Long> peakRssMb,
    long rssLimitMb,
    long backlogPeak,
    double producerImagesPerSec,
    double scorerImagesPerSec,
    long trainerStep,
    long referenceStep,
    double seconds,
    long seed,
    List<String> failures,
    int driftEvents,
    int referenceDriftEvents,
    ClusterReport cluster) {

  /** This report with the broker side's figures and failures added. */
  ChaosReport withCluster(ClusterReport c, List<String> more) {
    List<String> all = new java.util.ArrayList<>(failures);
    all.addAll(more);
    return new ChaosReport(
        images,
        scored,
        lost,
        duplicates,
        trainerKills,
        scorerKills,
        brokerRestarts,
        hostileInputs,
        hostileInDlq,
        modelIdentical,
        hostileInputKinds,
        hostileCheckpoints,
        scoresFromRejectedCheckpoints,
        unknownScores,
        dlqDuplicates,
        unexpectedExits,
        stopExitCodes,
        peakHeapMb,
        heapLimitMb,
        peakRssMb,
        rssLimitMb,
        backlogPeak,
        producerImagesPerSec,
        scorerImagesPerSec,
        trainerStep,
        referenceStep,
        seconds,
        seed,
        List.copyOf(all),
        driftEvents,
        referenceDriftEvents,
        c);
  }

  boolean passed() {
    return failures.isEmpty();
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", images);
    m.put("scored", scored);
    m.put("lost", lost);
    m.put("duplicates", duplicates);
    m.put("trainer_kills", trainerKills);
    m.put("scorer_kills", scorerKills);
    m.put("broker_restarts", brokerRestarts);
    m.put("hostile_inputs", hostileInputs);
    m.put("hostile_in_dlq", hostileInDlq);
    m.put("model_identical", modelIdentical);
    m.put("hostile_input_kinds", hostileInputKinds);
    m.put("hostile_checkpoints", hostileCheckpoints);
    m.put("scores_from_rejected_checkpoints", scoresFromRejectedCheckpoints);
    m.put("unknown_scores", unknownScores);
    m.put("dlq_duplicates", dlqDuplicates);
    m.put("unexpected_exits", unexpectedExits.size());
    m.put("stop_exit_codes", stopExitCodes);
    m.put("peak_heap_mb", peakHeapMb);
    m.put("heap_limit_mb", heapLimitMb);
    m.put("peak_rss_mb", peakRssMb);
    m.put("rss_limit_mb", rssLimitMb);
    m.put("backlog_peak", backlogPeak);
    m.put("producer_images_per_sec", Math.round(producerImagesPerSec));
    m.put("scorer_images_per_sec", Math.round(scorerImagesPerSec));
    m.put(
        "backlog_ratio",
        scorerImagesPerSec > 0
            ? Math.round(producerImagesPerSec / scorerImagesPerSec * 10) / 10.0
            : 0);
    m.put("trainer_step", trainerStep);
    m.put("reference_step", referenceStep);
    m.put("seconds", Math.round(seconds));
    m.put("seed", seed);
    m.put("drift_events", driftEvents);
    m.put("reference_drift_events", referenceDriftEvents);
    cluster.addTo(m);
    m.put("passed", passed());
    m.put("failures", failures);
    return m;
  }

  /** A short human-readable table for the terminal. */
  String table() {
    StringBuilder b = new StringBuilder();
    row(b, "valid images", images);
    row(b, "scored (distinct)", scored);
    row(b, "lost", lost);
    row(b, "duplicate scores", duplicates);
    row(b, "trainer kills survived", trainerKills);
    row(b, "scorer kills survived", scorerKills);
    row(b, "broker restarts survived", brokerRestarts);
    if (cluster.brokers() > 1) {
      row(b, "brokers", cluster.brokers());
      row(b, "broker kills survived", cluster.brokerKills());
      row(b, "longest recovery after a broker fault s", cluster.maxRecoverySeconds());
    }
    row(b, "hostile inputs tried", hostileInputs);
    row(b, "hostile inputs in DLQ", hostileInDlq);
    row(b, "hostile checkpoints tried", hostileCheckpoints);
    row(b, "scores by rejected models", scoresFromRejectedCheckpoints);
    row(b, "model identical to fault-free", modelIdentical);
    row(b, "drift events (fault-free run)", driftEvents + " (" + referenceDriftEvents + ")");
    row(b, "unexpected exits", unexpectedExits.size());
    row(b, "peak heap MiB (limit " + heapLimitMb + ")", peakHeapMb);
    row(b, "peak RSS MiB (limit " + rssLimitMb + ")", peakRssMb);
    row(b, "backlog peak (records)", backlogPeak);
    row(
        b,
        "producer / scorer images/s",
        String.format(Locale.ROOT, "%.0f / %.0f", producerImagesPerSec, scorerImagesPerSec));
    row(b, "result", passed() ? "PASSED" : "FAILED: " + String.join("; ", failures));
    return b.toString();
  }

  private static void row(StringBuilder b, String name, Object value) {
    b.append(String.format(Locale.ROOT, "  %-36s %s%n", name, value));
  }
}
