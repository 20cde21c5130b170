package dev.vaestream.app.chaos;

import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.kafka.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges a finished campaign: audits the topics ({@link Audit}), compares the final model with the
 * reference run's, and turns what the campaign observed into a {@link ChaosReport} whose failures
 * name every check that did not hold.
 */
final class Verdict {
  /** What the campaign observed while it ran. */
  record Observed(
      SupervisedService producer,
      SupervisedService trainer,
      SupervisedService scorer,
      SupervisedService reference,
      HostileInjector hostile,
      List<KillLoop> killLoops,
      int brokerRestarts,
      Map<String, Integer> stopExitCodes,
      Map<String, Long> peakHeapMb,
      Map<String, Long> peakRssMb,
      long backlogPeak,
      double scorerSeconds,
      Set<Long> validSteps,
      CheckpointWatch.Seen newestCheckpoint,
      List<String> failuresSoFar) {}

  private final ChaosSettings settings;
  private final Map<String, Object> kafka;
  private final CheckpointCodec codec;
  private final List<String> failures = new ArrayList<>();

  Verdict(ChaosSettings settings, Map<String, Object> kafka, CheckpointCodec codec) {
    this.settings = settings;
    this.kafka = Map.copyOf(kafka);
    this.codec = codec;
  }

  ChaosReport judge(Observed o, String referenceTopic, double seconds) throws IOException {
    failures.addAll(o.failuresSoFar());
    Audit audit = new Audit(kafka);
    Audit.Input input = audit.input(Topics.IMAGES);
    Audit.Scores scores = audit.scores(Topics.SCORES);
    Audit.DeadLetterCopies dlq = audit.deadLetters(Topics.IMAGES_DLQ);
    List<Long> driftEvents = audit.driftEventSteps(Topics.EVENTS);
    List<Long> referenceDriftEvents =
        audit.driftEventSteps(Topics.EVENTS + Campaign.REFERENCE_SUFFIX);

    long scoredDistinct = 0;
    long duplicates = 0;
    long unknown = 0;
    for (Map.Entry<String, Integer> e : scores.perImage().entrySet()) {
      if (input.imageIds().contains(e.getKey())) {
        scoredDistinct++;
        duplicates += e.getValue() - 1;
      } else {
        unknown += e.getValue();
      }
    }
    long lost = input.imageIds().size() - scoredDistinct;

    int hostileInDlq = 0;
    Set<String> hostilePositions = o.hostile().inputPositions();
    for (String p : hostilePositions) {
      Set<String> by = dlq.servicesByPosition().getOrDefault(p, Set.of());
      if (by.contains("trainer") && by.contains("scorer")) {
        hostileInDlq++;
      }
    }
    Set<String> invalidNotHostile = new HashSet<>(input.invalidPositions());
    invalidNotHostile.removeAll(hostilePositions);

    CheckpointWatch.Seen chaos = o.newestCheckpoint();
    CheckpointWatch.Seen fresh = CheckpointWatch.newestOn(kafka, referenceTopic, codec);
    boolean identical =
        chaos != null
            && fresh != null
            && chaos.checkpoint().step() == fresh.checkpoint().step()
            && Arrays.equals(chaos.checkpoint().parameters(), fresh.checkpoint().parameters())
            && Arrays.equals(chaos.checkpoint().adamState(), fresh.checkpoint().adamState());

    long fromRejected = 0;
    for (Map.Entry<Long, Integer> e : scores.perModelStep().entrySet()) {
      if (!o.validSteps().contains(e.getKey())) {
        fromRejected += e.getValue();
      }
    }

    List<String> unexpected = new ArrayList<>();
    for (SupervisedService s : List.of(o.producer(), o.trainer(), o.scorer(), o.reference())) {
      unexpected.addAll(s.unexpectedExits());
    }
    Map<String, Long> heap = o.peakHeapMb();
    Map<String, Long> rss = o.peakRssMb();

    double producerRate = producerRate(o.producer().logFile());
    double scorerRate = input.imageIds().size() / Math.max(1e-9, o.scorerSeconds());

    check(
        input.imageIds().size() == settings.images(),
        "the input holds "
            + input.imageIds().size()
            + " valid images, expected "
            + settings.images());
    check(input.duplicateIds() == 0, input.duplicateIds() + " image ids appear twice in the input");
    check(lost == 0, lost + " valid images have no score");
    check(duplicates == 0, duplicates + " duplicate scores");
    check(unknown == 0, unknown + " scores for ids that are not valid input images");
    check(
        hostileInDlq == hostilePositions.size(),
        (hostilePositions.size() - hostileInDlq) + " hostile inputs missing from the DLQ");
    check(invalidNotHostile.isEmpty(), invalidNotHostile.size() + " invalid inputs not injected");
    check(dlq.duplicates() == 0, dlq.duplicates() + " records dead-lettered twice by a service");
    check(
        identical,
        "final model differs from the fault-free run (steps "
            + (chaos == null ? "none" : chaos.checkpoint().step())
            + " vs "
            + (fresh == null ? "none" : fresh.checkpoint().step())
            + ")");
    // Drift detections are part of the exactly-once state: the same events at the same steps.
    check(
        driftEvents.equals(referenceDriftEvents),
        "drift events at steps "
            + driftEvents
            + " differ from the fault-free run's "
            + referenceDriftEvents);
    check(
        settings.scenario() == null || !referenceDriftEvents.isEmpty(),
        "no drift detected on scenario " + settings.scenario() + " (the audit needs one)");
    check(fromRejected == 0, fromRejected + " scores made by a model no valid checkpoint holds");
    check(unexpected.isEmpty(), "unexpected exits: " + unexpected);
    o.stopExitCodes().forEach((k, v) -> check(v == 0, k + " exited with " + v + " on SIGTERM"));
    check(o.killLoops().stream().allMatch(k -> k.failure() == null), "a kill loop failed");
    check(
        o.trainer().kills() == settings.kills(),
        "trainer killed " + o.trainer().kills() + " times, planned " + settings.kills());
    check(
        o.scorer().kills() == settings.kills(),
        "scorer killed " + o.scorer().kills() + " times, planned " + settings.kills());
    heap.forEach((k, v) -> check(v < settings.heapLimitMb(), k + " heap peaked at " + v + " MiB"));
    rss.forEach((k, v) -> check(v < settings.rssLimitMb(), k + " RSS peaked at " + v + " MiB"));

    return new ChaosReport(
        input.imageIds().size(),
        scoredDistinct,
        lost,
        duplicates,
        o.trainer().kills(),
        o.scorer().kills(),
        o.brokerRestarts(),
        hostilePositions.size(),
        hostileInDlq,
        identical,
        o.hostile().inputKinds(),
        o.hostile().checkpointsSent(),
        fromRejected,
        unknown,
        dlq.duplicates(),
        unexpected,
        o.stopExitCodes(),
        heap,
        settings.heapLimitMb(),
        rss,
        settings.rssLimitMb(),
        o.backlogPeak(),
        producerRate,
        scorerRate,
        chaos == null ? -1 : chaos.checkpoint().step(),
        fresh == null ? -1 : fresh.checkpoint().step(),
        seconds,
        settings.seed(),
        List.copyOf(failures),
        driftEvents.size(),
        referenceDriftEvents.size(),
        ClusterReport.SINGLE);
  }

  private void check(boolean ok, String failure) {
    if (!ok) {
      failures.add(failure);
    }
  }

  /** The producer's own figure, from the JSON line it prints last. */
  private static double producerRate(Path log) throws IOException {
    Matcher m = Pattern.compile("\"images_per_sec\":([0-9.]+)").matcher(Files.readString(log));
    double rate = 0;
    while (m.find()) {
      rate = Double.parseDouble(m.group(1));
    }
    return rate;
  }
}
