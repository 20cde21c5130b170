package dev.vaestream.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Synthetic anomalies made from real digits. Each is deterministic given the source image and a
 * seed, so evaluation and injected anomalies are reproducible.
 */
public enum AnomalyKind {
  /** Uniform random pixels; the digit is discarded. */
  NOISE {
    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      for (int i = 0; i < dst.length; i++) {
        dst[i] = (byte) rnd.nextInt(256);
      }
    }
  },
  /** Photographic negative: white background, dark strokes. */
  INVERTED {
    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      for (int i = 0; i < dst.length; i++) {
        dst[i] = (byte) (255 - (src[i] & 0xff));
      }
    }
  },
  /** Rotated 90 degrees clockwise; never drawn for a 0, which stays a 0. */
  ROTATED {
    @Override
    public boolean changesDigit(int digit) {
      return digit != 0;
    }

    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      int n = MnistDataset.ROWS;
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < n; c++) {
          dst[c * n + (n - 1 - r)] = src[r * n + c];
        }
      }
    }
  },
  /** Flipped upside down; never drawn for a 0, 1, 3 or 8, which stay that digit. */
  FLIPPED {
    @Override
    public boolean changesDigit(int digit) {
      return digit != 0 && digit != 1 && digit != 3 && digit != 8;
    }

    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      int n = MnistDataset.ROWS;
      for (int r = 0; r < n; r++) {
        System.arraycopy(src, r * n, dst, (n - 1 - r) * n, n);
      }
    }
  },
  /** A fifth of the pixels forced to black or white. */
  SALT_PEPPER {
    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      for (int i = 0; i < dst.length; i++) {
        dst[i] = rnd.nextInt(5) == 0 ? (byte) (rnd.nextBoolean() ? 255 : 0) : src[i];
      }
    }
  },
  /** A solid white 10x10 square pasted somewhere on the digit. */
  PATCH {
    @Override
    void transform(byte[] src, byte[] dst, SplittableRandom rnd) {
      int n = MnistDataset.ROWS;
      int size = 10;
      System.arraycopy(src, 0, dst, 0, dst.length);
      int top = rnd.nextInt(n - size + 1);
      int left = rnd.nextInt(n - size + 1);
      for (int r = top; r < top + size; r++) {
        for (int c = left; c < left + size; c++) {
          dst[r * n + c] = (byte) 255;
        }
      }
    }
  };

  abstract void transform(byte[] src, byte[] dst, SplittableRandom rnd);

  /**
   * Whether this anomaly, applied to an image of {@code digit}, gives an image that is no longer a
   * plain image of that digit. False where a nearest-neighbour reading of the result over 20,000
   * real MNIST digits mostly still gives {@code digit}: a flipped 0 (74%), 1 (98%), 3 (70%) and 8
   * (49%; every other flipped digit 30% or less) and a rotated 0 (62%; others 23% or less).
   * Labelling those anomalies would put real digits in the ground truth as anomalies.
   */
  public boolean changesDigit(int digit) {
    return true;
  }

  /**
   * Draws one of {@code kinds} for an image of {@code digit}, uniformly among those that {@link
   * #changesDigit change} it, or null if none does. The first draw is kept when it changes the
   * digit, so streams whose draws never needed a redraw are unchanged.
   */
  public static AnomalyKind draw(AnomalyKind[] kinds, int digit, SplittableRandom rnd) {
    AnomalyKind first = kinds[rnd.nextInt(kinds.length)];
    if (first.changesDigit(digit)) {
      return first;
    }
    List<AnomalyKind> eligible = new ArrayList<>();
    for (AnomalyKind k : kinds) {
      if (k.changesDigit(digit)) {
        eligible.add(k);
      }
    }
    return eligible.isEmpty() ? null : eligible.get(rnd.nextInt(eligible.size()));
  }

  /**
   * Returns a new image: this anomaly applied to {@code image}, with randomness from {@code seed}.
   */
  public byte[] apply(byte[] image, long seed) {
    if (image.length != MnistDataset.PIXELS) {
      throw new IllegalArgumentException("expected " + MnistDataset.PIXELS + " pixels");
    }
    byte[] out = new byte[image.length];
    transform(image, out, new SplittableRandom(seed));
    return out;
  }

  /** Lower-case name used on the wire, in flags and in JSON ({@code salt_pepper}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name, case-insensitively. */
  public static AnomalyKind fromWireName(String name) {
    for (AnomalyKind k : values()) {
      if (k.wireName().equalsIgnoreCase(name.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown anomaly kind '" + name + "' (expected one of " + wireNames() + ")");
  }

  /** All wire names, comma separated. */
  public static String wireNames() {
    List<String> names = new ArrayList<>();
    for (AnomalyKind k : values()) {
      names.add(k.wireName());
    }
    return String.join(",", names);
  }
}
