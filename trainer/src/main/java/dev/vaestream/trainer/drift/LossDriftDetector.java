package dev.vaestream.trainer.drift;

/**
 * Watches the prequential loss, one mean per group of images, with {@link Adwin}, and reports a
 * drift only for a sustained <em>rise</em> of at least {@code minRise} after the warm-up: the loss
 * of an online learner mostly falls, and ADWIN cuts at those falls too.
 *
 * <p>The rise is measured when ADWIN cuts: the mean of the last {@value #RECENT} groups against the
 * mean of the older part of ADWIN's cut. ADWIN's first significant cut is the oldest one, whose
 * newer part still holds mostly pre-change losses (measured: a 40% jump showed as 1.3% there).
 *
 * <p>Also counts what scorers and events report: detections so far, and images since the last.
 * Deterministic; {@link #state()} and {@link #fromState} carry it across checkpoints bit for bit.
 */
public final class LossDriftDetector {
  /** A detected drift: the mean loss of the older and the newer part of ADWIN's window. */
  public record Detection(long number, double lossBefore, double lossAfter) {}

  static final int RECENT = 8;

  private final DriftSettings settings;
  private final double[] recent = new double[RECENT];
  private int recentCount;
  private Adwin adwin;
  private long images;
  private long detections;
  private long imagesSinceDetection;

  public LossDriftDetector(DriftSettings settings) {
    this.settings = settings;
    this.adwin = new Adwin(settings.delta(), 1);
  }

  /**
   * Observes the mean prequential loss of {@code n} images.
   *
   * @return the detection this group completed, or null
   */
  public Detection observe(double meanLoss, int n) {
    images += n;
    imagesSinceDetection += n;
    if (!settings.enabled() || !Double.isFinite(meanLoss)) {
      return null;
    }
    System.arraycopy(recent, 0, recent, 1, RECENT - 1);
    recent[0] = meanLoss;
    recentCount = Math.min(RECENT, recentCount + 1);
    if (!adwin.update(meanLoss)) {
      return null;
    }
    double before = adwin.lastCut().olderMean();
    double after = recentMean();
    boolean rise = after > before * (1 + settings.minRise());
    if (!rise || images < settings.warmupImages()) {
      return null;
    }
    detections++;
    imagesSinceDetection = 0;
    return new Detection(detections, before, after);
  }

  private double recentMean() {
    double sum = 0;
    for (int i = 0; i < recentCount; i++) {
      sum += recent[i];
    }
    return sum / recentCount;
  }

  public DriftState state() {
    if (!settings.enabled()) {
      return DriftState.OFF;
    }
    if (images < settings.warmupImages()) {
      return DriftState.WARMING_UP;
    }
    return adapting() ? DriftState.ADAPTING : DriftState.STABLE;
  }

  /** True from a detection until {@code adaptImages} images later. */
  public boolean adapting() {
    return detections > 0 && imagesSinceDetection < settings.adaptImages();
  }

  public long detections() {
    return detections;
  }

  /** Images seen since the last detection (since the start when there was none). */
  public long imagesSinceDetection() {
    return imagesSinceDetection;
  }

  /** Mean loss over ADWIN's current window. */
  public double windowMean() {
    return adwin.mean();
  }

  /** The exact state as text for a checkpoint's metadata. */
  public String serialise() {
    StringBuilder s = new StringBuilder("loss1 ");
    s.append(images).append(' ').append(detections).append(' ').append(imagesSinceDetection);
    s.append(' ').append(recentCount);
    for (double r : recent) {
      s.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(r)));
    }
    return s.append(" | ").append(adwin.state()).toString();
  }

  /** Restores {@link #serialise()} output under {@code settings}; names what is malformed. */
  public static LossDriftDetector fromState(DriftSettings settings, String state) {
    String[] parts = state.split(" \\| ", 2);
    String[] head = parts[0].split(" ");
    if (parts.length != 2 || head.length != 5 + RECENT || !head[0].equals("loss1")) {
      throw new IllegalArgumentException("malformed drift detector state");
    }
    LossDriftDetector d = new LossDriftDetector(settings);
    try {
      d.images = Long.parseLong(head[1]);
      d.detections = Long.parseLong(head[2]);
      d.imagesSinceDetection = Long.parseLong(head[3]);
      d.recentCount = Integer.parseInt(head[4]);
      if (d.recentCount < 0 || d.recentCount > RECENT) {
        throw new NumberFormatException("recent count " + d.recentCount);
      }
      for (int i = 0; i < RECENT; i++) {
        d.recent[i] = Double.longBitsToDouble(Long.parseUnsignedLong(head[5 + i], 16));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed drift detector counters: " + parts[0]);
    }
    // The flags may have changed since: the window carries over, the new delta applies from here.
    d.adwin = Adwin.fromState(parts[1], settings.delta());
    return d;
  }
}
