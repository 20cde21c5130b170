package dev.vaestream.app.chaos;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one chaos campaign does: the workload (images, anomaly rate, seed) and the faults (kills per
 * service, broker restarts, hostile records), the limits it checks, and where it keeps its logs.
 *
 * @param images valid images the producer writes (a multiple of 32, so every group completes)
 * @param kills SIGKILLs of the trainer, and separately of the scorer
 * @param seed seed of the workload, the hostile records and the kill schedule
 * @param hostileInputs hostile records written to the input topic
 * @param hostileCheckpoints hostile records written to the checkpoint topic
 * @param brokerRestarts broker stops and starts mid-stream
 * @param anomalyRate fraction of injected (valid, labelled) anomalies
 * @param heap {@code -Xmx} of each service JVM
 * @param rssLimitMb peak resident set size allowed per service
 * @param maxUptimeBeforeKill longest a running service lives before its next kill
 * @param varDir logs of every service incarnation
 * @param timeout bound on the whole campaign
 * @param secure run on a broker that authenticates and authorises ({@link ChaosSecurity}), each
 *     service as its own principal with only its own ACLs
 * @param scenario a drift scenario ({@code producer --scenario NAME|FILE}) the producer streams
 *     instead of shuffled passes over the split, or null; the first {@code images} of it are used
 */
public record ChaosSettings(
    int images,
    int kills,
    long seed,
    int hostileInputs,
    int hostileCheckpoints,
    int brokerRestarts,
    double anomalyRate,
    String heap,
    long rssLimitMb,
    Duration maxUptimeBeforeKill,
    Path varDir,
    Duration timeout,
    boolean secure,
    String scenario) {

  /** The checkpoint signing key of the campaign: signing is on, so forgeries can be tried. */
  static final String HMAC_KEY = "chaos-campaign-key";

  /** A campaign on an open broker, on shuffled passes over the training split (no scenario). */
  public ChaosSettings(
      int images,
      int kills,
      long seed,
      int hostileInputs,
      int hostileCheckpoints,
      int brokerRestarts,
      double anomalyRate,
      String heap,
      long rssLimitMb,
      Duration maxUptimeBeforeKill,
      Path varDir,
      Duration timeout) {
    this(
        images,
        kills,
        seed,
        hostileInputs,
        hostileCheckpoints,
        brokerRestarts,
        anomalyRate,
        heap,
        rssLimitMb,
        maxUptimeBeforeKill,
        varDir,
        timeout,
        false,
        null);
  }

  public ChaosSettings {
    if (images <= 0 || images % 32 != 0) {
      throw new IllegalArgumentException(
          "--images must be a positive multiple of 32 (whole training groups), got " + images);
    }
    if (kills < 0 || hostileInputs < 0 || hostileCheckpoints < 0 || brokerRestarts < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    megabytes(heap);
  }

  /** The heap limit in MiB, from {@link #heap()} ({@code 512m}, {@code 1g}). */
  long heapLimitMb() {
    return megabytes(heap);
  }

  private static long megabytes(String heap) {
    String h = heap.toLowerCase(java.util.Locale.ROOT);
    long n = Long.parseLong(h.substring(0, h.length() - 1));
    return switch (h.charAt(h.length() - 1)) {
      case 'g' -> n * 1024;
      case 'm' -> n;
      default -> throw new IllegalArgumentException("heap must end in m or g: " + heap);
    };
  }
}
