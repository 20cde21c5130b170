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
 * <p>It also runs the trainer's {@link InputShiftDetector}, for the changes the loss cannot show,
 * so that every detection, from either signal, goes through one place: one count, one adapting
 * window, one event per change.
 *
 * <p>Also counts what scorers and events report: detections so far, and images since the last.
 * Deterministic; {@link #serialise()}, {@link #inputState()} and {@link #fromState} carry it across
 * checkpoints bit for bit.
 */
public final class LossDriftDetector {
  /**
   * A detected drift: the mean loss before the change and at the detection, the same for the ink
   * (mean pixel intensity, NaN while the input detector has no reference), and which signal
   * detected it.
   */
  public record Detection(
      long number,
      double lossBefore,
      double lossAfter,
      Signal signal,
      double inkBefore,
      double inkAfter) {}

  /** What a detection was seen in. */
  public enum Signal {
    /** The prequential loss rose (ADWIN with a minimum rise, or the exceedance CUSUM). */
    LOSS,
    /** The input's ink moved away from the settled stream's ({@link InputShiftDetector}). */
    INPUT;

    /** Lower-case name, as in events. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final int RECENT = RecentGroups.SIZE;

  /** The score quantile whose exceedances the CUSUM counts. */
  public static final double EXCEED_RANK = 0.9;

  static final double EXCEED_P0 = 0.1;
  static final double EXCEED_P1 = 0.2;
  private static final double EXCEED_LLR_ABOVE = Math.log(EXCEED_P1 / EXCEED_P0);
  private static final double EXCEED_LLR_BELOW = Math.log((1 - EXCEED_P1) / (1 - EXCEED_P0));

  private final DriftSettings settings;
  private final RecentGroups recent = new RecentGroups();
  private Adwin adwin;
  private InputShiftDetector input;
  private long images;
  private long detections;
  private long imagesSinceDetection;
  private double cusum;

  public LossDriftDetector(DriftSettings settings) {
    this.settings = settings;
    this.adwin = new Adwin(settings.delta(), 1);
    this.input = newInput(settings);
  }

  private static InputShiftDetector newInput(DriftSettings settings) {
    return new InputShiftDetector(
        inputMinShift(settings), settings.warmupImages(), settings.inputSettleImages());
  }

  /** The input detector's threshold: 0 (off) when drift handling is off. */
  private static double inputMinShift(DriftSettings settings) {
    return settings.enabled() ? settings.inputShift() : 0;
  }

  /**
   * Observes the mean prequential loss of {@code n} images.
   *
   * @return the detection this group completed, or null
   */
  public Detection observe(double meanLoss, int n) {
    return observe(meanLoss, n, -1, Double.NaN);
  }

  /** As {@link #observe(double, int, int, double)} without the input's ink. */
  public Detection observe(double meanLoss, int n, int exceedances) {
    return observe(meanLoss, n, exceedances, Double.NaN);
  }

  /**
   * Observes the mean prequential loss of {@code n} images, {@code exceedances} of which scored
   * above the {@value #EXCEED_RANK} quantile of the recent scores (-1: unknown, e.g. while the
   * window warms up).
   *
   * <p>Two ways to detect: ADWIN's cut with a rise of {@code minRise} (a large change), or a
   * Bernoulli CUSUM on the exceedances (a small sudden change of a young model, whose loss rises
   * only ~10% for a few hundred images before it falls again: ADWIN's older part, full of the
   * higher losses of early learning, hides that). Under a stationary stream an image exceeds the
   * quantile with probability {@value #EXCEED_P0} or less (less while the model still improves),
   * and the CUSUM tests that against {@value #EXCEED_P1}; its threshold {@code cusumThreshold} is a
   * log-likelihood ratio, so the mean run length between false alarms grows like e to its power. No
   * new detection while adapting to the last one: one event per change.
   *
   * <p>A third: the group's {@code ink} ({@link InputShiftDetector#ink}, NaN when unknown) moving
   * away from the settled stream's, for a change the learner follows without a rise in loss.
   *
   * @return the detection this group completed, or null
   */
  public Detection observe(double meanLoss, int n, int exceedances, double ink) {
    // The ink first, so that a loss detection reports the ink of the group that completed it too.
    boolean inputBeyond = input.observe(ink, n);
    Detection d = observeLoss(meanLoss, n, exceedances);
    if (d == null && inputBeyond && detectionAllowed()) {
      d = detect(Signal.INPUT, adwin.mean(), recent.mean());
    }
    if (d != null) {
      input.unsettle();
    }
    return d;
  }

  private Detection observeLoss(double meanLoss, int n, int exceedances) {
    images += n;
    imagesSinceDetection += n;
    if (!settings.enabled() || !Double.isFinite(meanLoss)) {
      return null;
    }
    recent.add(meanLoss);
    boolean cusumAlarm = false;
    if (adapting()) {
      cusum = 0; // the guard window (the quantile's reference) is being rebuilt
    } else if (exceedances >= 0 && settings.cusumThreshold() > 0) {
      cusum =
          Math.max(
              0, cusum + exceedances * EXCEED_LLR_ABOVE + (n - exceedances) * EXCEED_LLR_BELOW);
      cusumAlarm = cusum > settings.cusumThreshold();
    }
    boolean cut = adwin.update(meanLoss);
    boolean allowed = detectionAllowed();
    if (cusumAlarm && allowed) {
      double before = adwin.mean();
      return detect(Signal.LOSS, before, recent.mean());
    }
    if (!cut) {
      return null;
    }
    double before = adwin.lastCut().olderMean();
    double after = recent.mean();
    boolean rise = after > before * (1 + settings.minRise());
    if (!rise || !allowed) {
      return null;
    }
    return detect(Signal.LOSS, before, after);
  }

  /** After the warm-up and outside the adaptation to the last change: one event per change. */
  private boolean detectionAllowed() {
    return settings.enabled() && images >= settings.warmupImages() && !adapting();
  }

  private Detection detect(Signal signal, double before, double after) {
    double inkBefore = input.reference();
    double inkAfter = input.recentMean();
    detections++;
    imagesSinceDetection = 0;
    cusum = 0;
    return new Detection(detections, before, after, signal, inkBefore, inkAfter);
  }

  /** The input detector, for metrics and tests. */
  public InputShiftDetector input() {
    return input;
  }

  /** The Bernoulli CUSUM's current log-likelihood ratio (0 when nothing points at a change). */
  public double cusum() {
    return cusum;
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

  /**
   * The loss detectors' exact state as text for a checkpoint's metadata; the input detector's is
   * {@link #inputState()}, under a key of its own, so that a trainer from before it still reads
   * this one.
   */
  public String serialise() {
    StringBuilder s = new StringBuilder("loss2 ");
    s.append(images).append(' ').append(detections).append(' ').append(imagesSinceDetection);
    s.append(' ').append(recent.count());
    s.append(' ').append(RecentGroups.hex(cusum));
    recent.appendValues(s);
    return s.append(" | ").append(adwin.state()).toString();
  }

  /** The input detector's exact state as text for a checkpoint's metadata. */
  public String inputState() {
    return input.serialise();
  }

  /** Restores {@link #serialise()} output with a fresh input detector. */
  public static LossDriftDetector fromState(DriftSettings settings, String state) {
    return fromState(settings, state, null);
  }

  /**
   * Restores {@link #serialise()} and {@link #inputState()} output under {@code settings}; names
   * what is malformed. {@code inputState} null (a checkpoint from before the input detector): the
   * input detector starts afresh, and takes its reference once the ink has settled.
   */
  public static LossDriftDetector fromState(
      DriftSettings settings, String state, String inputState) {
    String[] parts = state.split(" \\| ", 2);
    String[] head = parts[0].split(" ");
    // loss1 (checkpoint format 2, before the CUSUM): the CUSUM starts at 0.
    boolean v1 = parts.length == 2 && head.length == 5 + RECENT && head[0].equals("loss1");
    boolean v2 = parts.length == 2 && head.length == 6 + RECENT && head[0].equals("loss2");
    if (!v1 && !v2) {
      throw new IllegalArgumentException("malformed drift detector state");
    }
    int first = v1 ? 5 : 6;
    LossDriftDetector d = new LossDriftDetector(settings);
    try {
      if (!v1) {
        d.cusum = RecentGroups.unhex(head[5]);
      }
      d.images = Long.parseLong(head[1]);
      d.detections = Long.parseLong(head[2]);
      d.imagesSinceDetection = Long.parseLong(head[3]);
      d.recent.restore(head[4], head, first);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed drift detector counters: " + parts[0]);
    }
    // The flags may have changed since: the window carries over, the new delta applies from here.
    d.adwin = Adwin.fromState(parts[1], settings.delta());
    if (inputState != null) {
      d.input =
          InputShiftDetector.fromState(
              inputMinShift(settings),
              settings.warmupImages(),
              settings.inputSettleImages(),
              inputState);
    }
    return d;
  }
}
