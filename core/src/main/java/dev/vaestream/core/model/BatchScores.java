package dev.vaestream.core.model;

/**
 * Per-image results of a forward pass at the posterior mean.
 *
 * @param reconstructionError summed squared error over the 784 pixels, per image
 * @param kl KL(q(z|x) || N(0, I)) per image
 * @param reconstructions the decoder's output means, {@code rows * 784} values in [0, 1]
 */
public record BatchScores(float[] reconstructionError, float[] kl, float[] reconstructions) {
  public int size() {
    return reconstructionError.length;
  }

  /** The anomaly score: per-pixel mean squared error of image {@code i}'s reconstruction. */
  public double mse(int i) {
    return reconstructionError[i] / VaeArchitecture.INPUT;
  }

  /** The loss of image {@code i}: reconstruction error plus KL (the negative ELBO at the mean). */
  public double loss(int i) {
    return reconstructionError[i] + kl[i];
  }
}
