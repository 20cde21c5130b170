package dev.vaestream.trainer.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ADWIN, adaptive windowing (Bifet and Gavaldà, 2007, the ADWIN2 bucket compression), written for
 * this project after River's variant (BSD-3-Clause), so that it detects at the same items: an
 * exponential histogram of at most {@code MAX_BUCKETS} buckets per size 2^row, a cut test every
 * {@code clock} items once the window exceeds the grace period, the variance-based bound of the
 * paper's Theorem 3, and a full reset on the item after a detection.
 *
 * <p>Only deterministic double arithmetic, no randomness and no clock: the same values give the
 * same detections, and {@link #state()} / {@link #fromState} carry the exact state across a
 * checkpoint (doubles written as their bit patterns).
 */
public final class Adwin {
  static final int MAX_BUCKETS = 5;
  private static final int GRACE_PERIOD = 10;
  private static final int MIN_WINDOW_LENGTH = 5;

  /** Where the last detection cut the window: the means of the older and the newer part. */
  public record Cut(double olderMean, double newerMean, double olderWidth, double newerWidth) {}

  /** One row of the histogram: buckets of 2^row items, oldest first. */
  private static final class Row {
    final double[] totals = new double[MAX_BUCKETS + 1];
    final double[] variances = new double[MAX_BUCKETS + 1];
    int count;

    void add(double total, double variance) {
      totals[count] = total;
      variances[count] = variance;
      count++;
    }

    void dropOldest(int n) {
      System.arraycopy(totals, n, totals, 0, totals.length - n);
      System.arraycopy(variances, n, variances, 0, variances.length - n);
      for (int i = totals.length - n; i < totals.length; i++) {
        totals[i] = 0;
        variances[i] = 0;
      }
      count -= n;
    }
  }

  private final double delta;
  private final int clock;
  private final List<Row> rows = new ArrayList<>();
  private double total;
  private double variance;
  private double width;
  private long tick;
  private long detections;
  private boolean driftDetected;
  private Cut lastCut;

  /**
   * @param delta confidence: the false-alarm bound of the cut test (River's default 0.002)
   * @param clock test for a cut every this many items (River's default 32)
   */
  public Adwin(double delta, int clock) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("ADWIN delta must be in (0, 1), got " + delta);
    }
    if (clock < 1) {
      throw new IllegalArgumentException("ADWIN clock must be at least 1, got " + clock);
    }
    this.delta = delta;
    this.clock = clock;
    resetWindow();
  }

  /** River's defaults: delta 0.002, clock 32. */
  public static Adwin withDefaults() {
    return new Adwin(0.002, 32);
  }

  private void resetWindow() {
    rows.clear();
    rows.add(new Row());
    total = 0;
    variance = 0;
    width = 0;
    tick = 0;
  }

  /** Adds {@code value}; true when this item completed a detection. */
  public boolean update(double value) {
    if (driftDetected) {
      resetWindow();
      driftDetected = false;
    }
    insert(value);
    driftDetected = detect();
    return driftDetected;
  }

  public boolean driftDetected() {
    return driftDetected;
  }

  /** The cut of the last detection, null before the first. */
  public Cut lastCut() {
    return lastCut;
  }

  public long detections() {
    return detections;
  }

  public double width() {
    return width;
  }

  /** Mean of the current window, 0 when empty. */
  public double mean() {
    return width == 0 ? 0 : total / width;
  }

  private void insert(double value) {
    rows.get(0).add(value, 0.0);
    width += 1;
    if (width > 1) {
      double d = value - total / (width - 1);
      variance += (width - 1) * d * d / width;
    }
    total += value;
    compress();
  }

  private void compress() {
    for (int idx = 0; idx < rows.size(); idx++) {
      Row row = rows.get(idx);
      if (row.count != MAX_BUCKETS + 1) {
        return;
      }
      if (idx + 1 == rows.size()) {
        rows.add(new Row());
      }
      Row next = rows.get(idx + 1);
      double n = Math.pow(2, idx);
      double mu1 = row.totals[0] / n;
      double mu2 = row.totals[1] / n;
      double merged = n * n * (mu1 - mu2) * (mu1 - mu2) / (n + n);
      next.add(row.totals[0] + row.totals[1], row.variances[0] + row.variances[1] + merged);
      row.dropOldest(2);
      if (next.count <= MAX_BUCKETS) {
        return;
      }
    }
  }

  private double deleteOldest() {
    int last = rows.size() - 1;
    Row row = rows.get(last);
    double n = Math.pow(2, last);
    double u = row.totals[0];
    double mu = u / n;
    double v = row.variances[0];
    width -= n;
    total -= u;
    double muWindow = width > 0 ? total / width : 0;
    variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width);
    row.dropOldest(1);
    if (row.count == 0) {
      rows.remove(last);
    }
    return n;
  }

  private boolean detect() {
    boolean change = false;
    tick++;
    if (tick % clock != 0 || width <= GRACE_PERIOD) {
      return false;
    }
    boolean reduce = true;
    while (reduce) {
      reduce = false;
      double n0 = 0;
      double n1 = width;
      double u0 = 0;
      double u1 = total;
      scan:
      for (int idx = rows.size() - 1; idx >= 0; idx--) {
        Row row = rows.get(idx);
        double size = Math.pow(2, idx);
        // As River: the newest bucket of each row is never a cut point.
        for (int k = 0; k < row.count - 1; k++) {
          n0 += size;
          n1 -= size;
          u0 += row.totals[k];
          u1 -= row.totals[k];
          double older = u0 / n0;
          double newer = u1 / n1;
          if (n1 >= MIN_WINDOW_LENGTH
              && n0 >= MIN_WINDOW_LENGTH
              && significant(n0, n1, older - newer)) {
            if (!change) {
              lastCut = new Cut(older, newer, n0, n1);
            }
            change = true;
            reduce = true;
            if (width > 0) {
              deleteOldest();
            }
            break scan;
          }
        }
      }
    }
    if (change) {
      detections++;
    }
    return change;
  }

  private boolean significant(double n0, double n1, double deltaMean) {
    double deltaPrime = Math.log(2 * Math.log(width) / delta);
    double m = 1.0 / (n0 - MIN_WINDOW_LENGTH + 1) + 1.0 / (n1 - MIN_WINDOW_LENGTH + 1);
    double epsilon =
        Math.sqrt(2 * m * (variance / width) * deltaPrime) + 2.0 / 3.0 * deltaPrime * m;
    return Math.abs(deltaMean) > epsilon;
  }

  /**
   * The exact state as text (for a checkpoint's metadata): parameters, counters, and every bucket,
   * doubles as hexadecimal bit patterns so that a restored detector continues bit for bit.
   */
  public String state() {
    StringBuilder s = new StringBuilder("adwin1");
    s.append(' ').append(hex(delta)).append(' ').append(clock);
    s.append(' ').append(hex(total)).append(' ').append(hex(variance)).append(' ');
    s.append(hex(width)).append(' ').append(tick).append(' ').append(detections);
    s.append(' ').append(driftDetected ? 1 : 0);
    s.append(' ').append(lastCut == null ? "-" : cutState(lastCut));
    s.append(' ').append(rows.size());
    for (Row row : rows) {
      s.append(' ').append(row.count);
      for (int k = 0; k < row.count; k++) {
        s.append(' ').append(hex(row.totals[k])).append(' ').append(hex(row.variances[k]));
      }
    }
    return s.toString();
  }

  /** Restores a detector from {@link #state()}; IllegalArgumentException names what is wrong. */
  public static Adwin fromState(String state) {
    return fromState(state, Double.NaN);
  }

  /** As {@link #fromState(String)}, with {@code delta} in place of the stored one unless NaN. */
  public static Adwin fromState(String state, double delta) {
    String[] t = state.trim().split(" ");
    try {
      int i = 0;
      if (!t[i++].equals("adwin1")) {
        throw new IllegalArgumentException("not an ADWIN state (version " + t[0] + ")");
      }
      double storedDelta = unhex(t[i++]);
      Adwin a = new Adwin(Double.isNaN(delta) ? storedDelta : delta, Integer.parseInt(t[i++]));
      a.total = unhex(t[i++]);
      a.variance = unhex(t[i++]);
      a.width = unhex(t[i++]);
      a.tick = Long.parseLong(t[i++]);
      a.detections = Long.parseLong(t[i++]);
      a.driftDetected = t[i++].equals("1");
      String cut = t[i++];
      if (!cut.equals("-")) {
        String[] c = cut.split(",");
        a.lastCut = new Cut(unhex(c[0]), unhex(c[1]), unhex(c[2]), unhex(c[3]));
      }
      int nRows = Integer.parseInt(t[i++]);
      if (nRows < 1 || nRows > 64) {
        throw new IllegalArgumentException("ADWIN state with " + nRows + " rows");
      }
      a.rows.clear();
      for (int r = 0; r < nRows; r++) {
        Row row = new Row();
        int count = Integer.parseInt(t[i++]);
        if (count < 0 || count > MAX_BUCKETS) {
          throw new IllegalArgumentException("ADWIN row of " + count + " buckets");
        }
        for (int k = 0; k < count; k++) {
          row.add(unhex(t[i++]), unhex(t[i++]));
        }
        a.rows.add(row);
      }
      if (i != t.length) {
        throw new IllegalArgumentException("ADWIN state has " + (t.length - i) + " extra fields");
      }
      return a;
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new IllegalArgumentException("truncated or malformed ADWIN state: " + e.getMessage());
    }
  }

  private static String cutState(Cut c) {
    return hex(c.olderMean())
        + ","
        + hex(c.newerMean())
        + ","
        + hex(c.olderWidth())
        + ","
        + hex(c.newerWidth());
  }

  private static String hex(double d) {
    return Long.toHexString(Double.doubleToRawLongBits(d)).toLowerCase(Locale.ROOT);
  }

  private static double unhex(String s) {
    return Double.longBitsToDouble(Long.parseUnsignedLong(s, 16));
  }
}
