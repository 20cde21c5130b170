package dev.vaestream.core.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seed's architecture, fixed: encoder 784-256-64 (ReLU) to the mean and log-variance of a
 * 10-dimensional Gaussian latent, decoder 10-64-256 (ReLU) to 784 sigmoid outputs; summed squared
 * reconstruction error plus KL; Adam 1e-3 at mini-batch 32.
 *
 * <p>The {@link #fingerprint()} is a hash of this description: checkpoints carry it, and a
 * checkpoint with another fingerprint is rejected rather than loaded into the wrong shape.
 */
public final class VaeArchitecture {
  public static final int INPUT = 784;
  public static final int[] ENCODER = {256, 64};
  public static final int LATENT = 10;
  public static final int[] DECODER = {64, 256};
  public static final int BATCH = 32;
  public static final double LEARNING_RATE = 1e-3;
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.999;
  public static final double EPSILON = 1e-8;

  /** Human-readable description; its SHA-256 is the fingerprint. */
  public static final String DESCRIPTION =
      "vae-stream/1 in=784 enc=256,64 relu latent=10 (mean, log-variance) dec=64,256 relu"
          + " out=784 sigmoid loss=sum-squared-error+kl adam(lr=0.001,b1=0.9,b2=0.999,eps=1e-8)"
          + " batch=32 float32 dl4j-vae-param-order";

  private static final byte[] FINGERPRINT = sha256(DESCRIPTION);

  private VaeArchitecture() {}

  /** SHA-256 of {@link #DESCRIPTION}, 32 bytes. */
  public static byte[] fingerprint() {
    return FINGERPRINT.clone();
  }

  /** Number of trainable parameters (weights and biases of every layer, both heads). */
  public static long parameterCount() {
    long n = 0;
    int prev = INPUT;
    for (int h : ENCODER) {
      n += (long) prev * h + h;
      prev = h;
    }
    n += 2L * ((long) prev * LATENT + LATENT);
    prev = LATENT;
    for (int h : DECODER) {
      n += (long) prev * h + h;
      prev = h;
    }
    n += (long) prev * INPUT + INPUT;
    return n;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
