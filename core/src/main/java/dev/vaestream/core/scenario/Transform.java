package dev.vaestream.core.scenario;

import dev.vaestream.core.data.MnistDataset;
import java.util.SplittableRandom;

/**
 * How a scenario phase changes each digit: rotation, stroke thickness, contrast and brightness,
 * additive noise, translation. Deterministic given the image and the generator.
 *
 * @param rotationDegrees counter-clockwise rotation about the centre (bilinear)
 * @param thickness {@code k > 0}: dilate {@code k} times (3x3 maximum), {@code k < 0}: erode
 * @param contrast multiplies intensities about mid-grey (1: unchanged)
 * @param brightness added to intensities, as a fraction of full scale (0: unchanged)
 * @param noise standard deviation of additive Gaussian noise, as a fraction of full scale
 * @param translateX pixels to the right
 * @param translateY pixels down
 */
public record Transform(
    double rotationDegrees,
    int thickness,
    double contrast,
    double brightness,
    double noise,
    int translateX,
    int translateY) {

  /** Leaves images as they are. */
  public static final Transform NONE = new Transform(0, 0, 1, 0, 0, 0, 0);

  private static final int N = MnistDataset.ROWS;

  public Transform {
    if (!Double.isFinite(rotationDegrees) || !Double.isFinite(contrast) || contrast < 0) {
      throw new IllegalArgumentException("rotation must be finite and contrast at least 0");
    }
    if (Math.abs(thickness) > 3) {
      throw new IllegalArgumentException("thickness must be between -3 and 3, got " + thickness);
    }
    if (!(noise >= 0 && noise <= 1) || !(Math.abs(brightness) <= 1)) {
      throw new IllegalArgumentException("noise must be in [0, 1] and brightness in [-1, 1]");
    }
    if (Math.abs(translateX) >= N || Math.abs(translateY) >= N) {
      throw new IllegalArgumentException("translation must be smaller than the image");
    }
  }

  public boolean identity() {
    return equals(NONE);
  }

  /** The transformed copy of {@code src} (784 unsigned bytes); {@code rnd} draws the noise. */
  public byte[] apply(byte[] src, SplittableRandom rnd) {
    if (identity()) {
      return src.clone();
    }
    float[] img = new float[N * N];
    for (int i = 0; i < img.length; i++) {
      img[i] = src[i] & 0xff;
    }
    if (rotationDegrees != 0) {
      img = rotate(img, Math.toRadians(rotationDegrees));
    }
    for (int k = 0; k < Math.abs(thickness); k++) {
      img = morph(img, thickness > 0);
    }
    if (translateX != 0 || translateY != 0) {
      img = translate(img, translateX, translateY);
    }
    byte[] out = new byte[N * N];
    for (int i = 0; i < img.length; i++) {
      double v = (img[i] - 127.5) * contrast + 127.5 + brightness * 255;
      if (noise > 0) {
        v += rnd.nextGaussian() * noise * 255; // SplittableRandom has nextGaussian since Java 17
      }
      out[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
    return out;
  }

  private static float[] rotate(float[] img, double radians) {
    float[] out = new float[N * N];
    double cos = Math.cos(radians);
    double sin = Math.sin(radians);
    double c = (N - 1) / 2.0;
    for (int r = 0; r < N; r++) {
      for (int col = 0; col < N; col++) {
        // Inverse mapping: where in the source does this output pixel come from.
        double x = col - c;
        double y = r - c;
        double sx = cos * x - sin * y + c;
        double sy = sin * x + cos * y + c;
        out[r * N + col] = bilinear(img, sx, sy);
      }
    }
    return out;
  }

  private static float bilinear(float[] img, double x, double y) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    double v =
        at(img, x0, y0) * (1 - fx) * (1 - fy)
            + at(img, x0 + 1, y0) * fx * (1 - fy)
            + at(img, x0, y0 + 1) * (1 - fx) * fy
            + at(img, x0 + 1, y0 + 1) * fx * fy;
    return (float) v;
  }

  private static float at(float[] img, int x, int y) {
    return x < 0 || y < 0 || x >= N || y >= N ? 0 : img[y * N + x];
  }

  /** One 3x3 grey-level dilation (maximum) or erosion (minimum). */
  private static float[] morph(float[] img, boolean dilate) {
    float[] out = new float[N * N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < N; c++) {
        float v = dilate ? 0 : 255;
        for (int dr = -1; dr <= 1; dr++) {
          for (int dc = -1; dc <= 1; dc++) {
            float p = at(img, c + dc, r + dr);
            v = dilate ? Math.max(v, p) : Math.min(v, p);
          }
        }
        out[r * N + c] = v;
      }
    }
    return out;
  }

  private static float[] translate(float[] img, int dx, int dy) {
    float[] out = new float[N * N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < N; c++) {
        out[r * N + c] = at(img, c - dx, r - dy);
      }
    }
    return out;
  }
}
