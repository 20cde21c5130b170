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

  /** The settings {@code bin/vae-stream chaos} runs with when given no flag. */
  public static Builder defaults() {
    return new Builder();
  }

  /**
   * The campaign's settings one by one, from {@code chaos}'s defaults: tests and the command name
   * only what they change, instead of fourteen positional values.
   */
  public static final class Builder {
    private int images = 200_000;
    private int kills = 20;
    private long seed = 1;
    private int hostileInputs = 200;
    private int hostileCheckpoints = 12;
    private int brokerRestarts = 1;
    private double anomalyRate = 0.01;
    private String heap = "512m";
    private long rssLimitMb = 1024;
    private Duration maxUptimeBeforeKill = Duration.ofSeconds(8);
    private Path varDir = Path.of("var/chaos");
    private Duration timeout = Duration.ofHours(1);
    private boolean secure;
    private String scenario;

    private Builder() {}

    public Builder images(int v) {
      images = v;
      return this;
    }

    public Builder kills(int v) {
      kills = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder hostileInputs(int v) {
      hostileInputs = v;
      return this;
    }

    public Builder hostileCheckpoints(int v) {
      hostileCheckpoints = v;
      return this;
    }

    public Builder brokerRestarts(int v) {
      brokerRestarts = v;
      return this;
    }

    public Builder anomalyRate(double v) {
      anomalyRate = v;
      return this;
    }

    public Builder heap(String v) {
      heap = v;
      return this;
    }

    public Builder rssLimitMb(long v) {
      rssLimitMb = v;
      return this;
    }

    public Builder maxUptimeBeforeKill(Duration v) {
      maxUptimeBeforeKill = v;
      return this;
    }

    public Builder varDir(Path v) {
      varDir = v;
      return this;
    }

    public Builder timeout(Duration v) {
      timeout = v;
      return this;
    }

    public Builder secure(boolean v) {
      secure = v;
      return this;
    }

    /** A drift scenario's name or file, or null for shuffled passes. */
    public Builder scenario(String v) {
      scenario = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public ChaosSettings build() {
      return new ChaosSettings(
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
          secure,
          scenario);
    }
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
