package dev.vaestream.core.scenario;

import java.util.Arrays;

/**
 * One phase of a scenario: {@code length} images of the given digits, transformed, beginning
 * suddenly ({@code mixOver == 0}) or as a linear mix from the previous phase over {@code mixOver}
 * images (image {@code i} of the phase comes from this phase with probability {@code i / mixOver}).
 *
 * @param name the ground truth carried in each record's {@code phase} header
 * @param length images in the phase; 0 for the last phase means it never ends
 * @param digits which digits are drawn, uniformly over the split's images of those digits
 */
public record Phase(String name, long length, int[] digits, Transform transform, long mixOver) {
  public static final int[] ALL_DIGITS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

  public Phase {
    if (name == null || name.isBlank() || name.length() > 64 || !name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException(
          "phase name must be 1-64 of letters, digits, '_', '.', '-', got '" + name + "'");
    }
    if (length < 0 || mixOver < 0) {
      throw new IllegalArgumentException("phase " + name + ": negative length or mix");
    }
    if (digits == null || digits.length == 0) {
      throw new IllegalArgumentException("phase " + name + ": no digits");
    }
    digits = digits.clone();
    Arrays.sort(digits);
    for (int d : digits) {
      if (d < 0 || d > 9) {
        throw new IllegalArgumentException("phase " + name + ": digit " + d + " is not 0-9");
      }
    }
    if (transform == null) {
      transform = Transform.NONE;
    }
  }

  @Override
  public int[] digits() {
    return digits.clone();
  }

  boolean drawsDigit(int d) {
    return Arrays.binarySearch(digits, d) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Phase p
        && name.equals(p.name)
        && length == p.length
        && Arrays.equals(digits, p.digits)
        && transform.equals(p.transform)
        && mixOver == p.mixOver;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(digits);
  }

  @Override
  public String toString() {
    return "Phase["
        + name
        + ", "
        + length
        + " images, digits "
        + Arrays.toString(digits)
        + ", "
        + transform
        + ", mix over "
        + mixOver
        + "]";
  }
}
