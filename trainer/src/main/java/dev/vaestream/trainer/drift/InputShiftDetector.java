package dev.vaestream.trainer.drift;

import dev.vaestream.core.data.MnistDataset;
import java.util.Arrays;

/**
 * Watches the input itself, for the changes the prequential loss cannot show: a change slow enough
 * for the online learner to follow (strokes thickening over 30,000 images) keeps the loss flat, and
 * even lowers it, while the images are no longer those of the settled stream.
 *
 * <p>The signal is model-free: each group's ink, the mean pixel intensity of its images, trimmed of
 * the {@value #TRIM} lowest and highest images so that a sparse anomaly (random noise, a
 * photographic negative: several times a digit's ink) does not move it. A change is detected when
 * the mean ink of the last {@value #RECENT} groups has differed from the <em>reference</em>, the
 * ink of the last settled stream, by at least {@code minShift} as a fraction, in each of {@value
 * #PERSIST} groups in a row. A fixed reference, not a sliding one: on a ramp each step is small,
 * and only the distance from where the stream settled shows its size.
 *
 * <p>The stream is settled when three consecutive blocks of {@code settleImages / 3} images agree
 * in mean ink within half of {@code minShift}; the newest block's mean is then the reference. After
 * any detection (this one's or the loss's) the reference is dropped until the stream settles again:
 * one detection per change, even a ramp, whose blocks keep differing until it ends (a ramp that
 * moves the ink by less than half of {@code minShift} over two blocks, 6,666 images at the
 * defaults, settles on the way and may be detected again; a 60,000-image thickening does not).
 * Deterministic; {@link #serialise()} carries the exact state across checkpoints.
 */
public final class InputShiftDetector {
  /** Images dropped at each end of a group's sorted ink before averaging. */
  public static final int TRIM = 2;

  static final int RECENT = RecentGroups.SIZE;

  /** Groups in a row beyond the shift before a detection. */
  static final int PERSIST = 16;

  private final double minShift;
  private final long warmupImages;
  private final long blockImages;
  private final RecentGroups recent = new RecentGroups();
  private long images;
  private double reference = Double.NaN;
  private int beyond;
  private double blockSum;
  private long blockCount;
  private double previousBlock = Double.NaN;
  private double olderBlock = Double.NaN;

  /**
   * @param minShift smallest relative change of the ink that counts as drift; 0 turns this off
   * @param warmupImages no reference before this many images
   * @param settleImages three blocks of a third of this many images each must agree for a reference
   */
  public InputShiftDetector(double minShift, long warmupImages, long settleImages) {
    this.minShift = minShift;
    this.warmupImages = warmupImages;
    this.blockImages = Math.max(1, settleImages / 3);
  }

  /**
   * The trimmed mean intensity of {@code n} images of {@link MnistDataset#PIXELS} values each in
   * [0, 1], starting at {@code images[0]}.
   */
  public static double ink(float[] images, int n) {
    int px = MnistDataset.PIXELS;
    double[] perImage = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = i * px, end = k + px; k < end; k++) {
        s += images[k];
      }
      perImage[i] = s / px;
    }
    Arrays.sort(perImage);
    int trim = n > 4 * TRIM ? TRIM : 0;
    double s = 0;
    for (int i = trim; i < n - trim; i++) {
      s += perImage[i];
    }
    return s / (n - 2 * trim);
  }

  public boolean enabled() {
    return minShift > 0;
  }

  /**
   * Observes one group's {@link #ink}; true while the ink has been beyond the shift for {@value
   * #PERSIST} groups in a row: a detection, if the caller allows one now (the caller then calls
   * {@link #unsettle}).
   */
  public boolean observe(double ink, int n) {
    images += n;
    if (!enabled() || !Double.isFinite(ink)) {
      return false;
    }
    recent.add(ink);
    blockSum += ink * n;
    blockCount += n;
    if (blockCount >= blockImages) {
      double block = blockSum / blockCount;
      if (Double.isNaN(reference)
          && images >= warmupImages
          && agree(block, previousBlock)
          && agree(block, olderBlock)) {
        reference = block;
        beyond = 0;
      }
      olderBlock = previousBlock;
      previousBlock = block;
      blockSum = 0;
      blockCount = 0;
    }
    if (Double.isNaN(reference)) {
      return false;
    }
    beyond = Math.abs(shift()) >= minShift ? beyond + 1 : 0;
    return beyond >= PERSIST;
  }

  private boolean agree(double block, double earlier) {
    return earlier > 0 && Math.abs(block / earlier - 1) < minShift / 2;
  }

  /** The recent ink against the reference, as a fraction (NaN without a reference). */
  public double shift() {
    return enabled() && reference > 0 ? recentMean() / reference - 1 : Double.NaN;
  }

  /** The settled stream's ink, NaN while there is none or the detector is off. */
  public double reference() {
    return enabled() ? reference : Double.NaN;
  }

  /** The mean ink of the last {@value #RECENT} groups. */
  public double recentMean() {
    return enabled() ? recent.mean() : Double.NaN;
  }

  /** A change was detected (here or in the loss): wait for the stream to settle again. */
  public void unsettle() {
    reference = Double.NaN;
    beyond = 0;
    blockSum = 0;
    blockCount = 0;
    previousBlock = Double.NaN;
    olderBlock = Double.NaN;
  }

  /** The exact state as text, for the loss detector's checkpoint state. */
  public String serialise() {
    StringBuilder s = new StringBuilder("input1 ");
    s.append(images).append(' ').append(recent.count()).append(' ').append(beyond);
    s.append(' ').append(blockCount).append(' ').append(RecentGroups.hex(blockSum));
    s.append(' ').append(RecentGroups.hex(previousBlock));
    s.append(' ').append(RecentGroups.hex(olderBlock));
    s.append(' ').append(RecentGroups.hex(reference));
    recent.appendValues(s);
    return s.toString();
  }

  /** Restores {@link #serialise()} output with these settings; names what is malformed. */
  public static InputShiftDetector fromState(
      double minShift, long warmupImages, long settleImages, String state) {
    String[] head = state.trim().split(" ");
    if (head.length != 9 + RECENT || !head[0].equals("input1")) {
      throw new IllegalArgumentException("malformed input shift detector state");
    }
    InputShiftDetector d = new InputShiftDetector(minShift, warmupImages, settleImages);
    try {
      d.images = Long.parseLong(head[1]);
      d.beyond = Integer.parseInt(head[3]);
      d.blockCount = Long.parseLong(head[4]);
      d.blockSum = RecentGroups.unhex(head[5]);
      d.previousBlock = RecentGroups.unhex(head[6]);
      d.olderBlock = RecentGroups.unhex(head[7]);
      d.reference = RecentGroups.unhex(head[8]);
      d.recent.restore(head[2], head, 9);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed input shift detector state: " + state);
    }
    return d;
  }
}
