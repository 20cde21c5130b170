package dev.vaestream.trainer.drift;

/**
 * The values of the last {@value #SIZE} groups, newest first, and their mean: what both drift
 * detectors compare as "now" (the loss detector against ADWIN's older window, the input detector
 * against its reference). Part of their checkpointed state, written as exact bit patterns.
 */
final class RecentGroups {
  static final int SIZE = 8;

  private final double[] values = new double[SIZE];
  private int count;

  void add(double value) {
    System.arraycopy(values, 0, values, 1, SIZE - 1);
    values[0] = value;
    count = Math.min(SIZE, count + 1);
  }

  /** The mean of the values in; NaN before the first. */
  double mean() {
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += values[i];
    }
    return sum / count;
  }

  int count() {
    return count;
  }

  /** Appends the {@value #SIZE} values, each as a space and its bit pattern in hexadecimal. */
  void appendValues(StringBuilder s) {
    for (double v : values) {
      s.append(' ').append(hex(v));
    }
  }

  /**
   * Restores {@code count} (a field of its own in the state) and the {@value #SIZE} values from
   * {@code fields[from]} on, as {@link #appendValues} wrote them.
   *
   * @throws NumberFormatException if any of them is malformed or the count out of range
   */
  void restore(String countField, String[] fields, int from) {
    int n = Integer.parseInt(countField);
    if (n < 0 || n > SIZE) {
      throw new NumberFormatException("recent count " + n);
    }
    for (int i = 0; i < SIZE; i++) {
      values[i] = unhex(fields[from + i]);
    }
    count = n;
  }

  static String hex(double d) {
    return Long.toHexString(Double.doubleToRawLongBits(d));
  }

  static double unhex(String s) {
    return Double.longBitsToDouble(Long.parseUnsignedLong(s, 16));
  }
}
